"""KGError and the subclasses the CLI knows how to report in one line."""

from __future__ import annotations

from pathlib import Path


class KGError(Exception):
    """Base of every error kg reports to a user; the message is one line with the fix."""

    exit_code = 1


class InputError(KGError):
    """A file (or one record in it) cannot be read."""

    exit_code = 2

    def __init__(
        self,
        path: str | Path,
        what: str,
        fix: str,
        *,
        line: int | None = None,
        record: int | None = None,
    ) -> None:
        where = str(path) if line is None else f"{path}:{line}"
        if record is not None:
            where += f" (record {record})"
        self.path, self.line, self.record, self.what, self.fix = str(path), line, record, what, fix
        super().__init__(f"{where}: {what}; {fix}")


# The formats kg.readers reads (kept here so that errors import nothing of the readers).
FORMAT_NAMES = (
    "hf", "hf-html", "jsonl", "json", "csv", "tsv", "atom", "arxiv", "bibtex", "ris", "s2",
    "openalex",
)  # fmt: skip


class UnknownFormat(InputError):
    """The format of an input file cannot be detected or is not supported."""

    def __init__(self, path: str | Path, detail: str = "") -> None:
        what = f"cannot tell the format{': ' + detail if detail else ''}"
        super().__init__(path, what, "pass --format " + "|".join(FORMAT_NAMES))


class NoRecords(InputError):
    """An input held no paper at all."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, "no records", "check that this is the file you meant")


class BuildDirError(KGError):
    """A build folder is missing, incomplete or cannot be written."""


class QueryError(KGError):
    """A Cypher query failed or was refused."""


class StoreUnavailable(KGError):
    """A graph server cannot be reached."""
