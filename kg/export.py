"""Write a build's graph for other tools: neo4j-admin CSV, GraphML, GEXF, JSON and plain CSV.

Every format is written from kg.vocab's rows, streamed (one row in memory at a time), with the
same node keys as the views (`paper:ID`, `concept:ID`). Types the formats lack are encoded the
same way everywhere: a list (or dict) becomes a JSON string in GraphML, GEXF and plain CSV, and a
null is left out (GraphML, GEXF) or an empty unquoted field (CSV). neo4j-admin CSV uses its own
typed headers (`year:long`, `authors:string[]`) with U+001F between list items.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from kg.errors import KGError
from kg.folder import temp_path
from kg.vocab import (
    CONCEPT,
    KEY,
    NODE_TABLES,
    PAPER,
    REL_TABLES,
    SOURCE,
    TABLES,
    TARGET,
    Row,
    Table,
    concept_node,
    paper_node,
    table_rows,
)

if TYPE_CHECKING:
    from kg.graph import GraphData

FORMATS = ("neo4j-csv", "graphml", "gexf", "json", "csv")
ARRAY_DELIMITER = "\x1f"  # never in kg's text: the readers drop C0 controls
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CR = {"\r": "&#13;"}  # a raw CR in element text would read back as LF
_NEO4J_TYPES = {"STRING": "", "INT64": ":long", "BOOLEAN": ":boolean", "STRING[]": ":string[]"}
_XML_TYPES = {"STRING": "string", "INT64": "long", "BOOLEAN": "boolean", "STRING[]": "string"}
_FILES = {
    t.name: f"{t.name.lower()}s.csv" if not t.is_rel else f"{t.name.lower()}.csv" for t in TABLES
}


def export(data: GraphData, fmt: str, out: Path) -> list[Path]:
    """Write `data` in format `fmt` to `out` (a folder for the CSV formats, else a file).

    Returns the files written. Each file is written beside its final name and moved into place,
    so a failed export leaves no half-written file.
    """
    writers: dict[str, Callable[[GraphData, Path], list[Path]]] = {
        "neo4j-csv": _neo4j_csv,
        "csv": _plain_csv,
        "graphml": _one_file(_graphml),
        "gexf": _one_file(_gexf),
        "json": _one_file(_json),
    }
    if fmt not in writers:
        raise KGError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt in ("neo4j-csv", "csv"):
        if out.exists() and not out.is_dir():
            raise KGError(f"-o {out}: --format {fmt} writes a folder of files; name a folder")
        out.mkdir(parents=True, exist_ok=True)
    elif out.is_dir():
        raise KGError(f"-o {out} is a folder; --format {fmt} writes one file, e.g. -o graph.{fmt}")
    return writers[fmt](data, out)


def node_key(table: Table, row: Row) -> str:
    """The export's key of a node row (as in the views)."""
    make = paper_node if table.name == PAPER else concept_node
    return make(str(row[KEY]))


def _endpoints(table: Table, row: Row) -> tuple[str, str]:
    make = {PAPER: paper_node, CONCEPT: concept_node}
    return make[str(table.source)](str(row[SOURCE])), make[str(table.target)](str(row[TARGET]))


# -- writing a file safely ----------------------------------------------------------------------


def _atomic(path: Path, write: Callable[[IO[str]], None]) -> Path:
    tmp = temp_path(path, str(os.getpid()))  # kg's temp name: a build folder's cleanup knows it
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            write(f)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _one_file(
    write: Callable[[GraphData, IO[str]], None],
) -> Callable[[GraphData, Path], list[Path]]:
    def run(data: GraphData, out: Path) -> list[Path]:
        out.parent.mkdir(parents=True, exist_ok=True)
        return [_atomic(out, lambda f: write(data, f))]

    return run


# -- neo4j-admin CSV ----------------------------------------------------------------------------


def neo4j_header(table: Table) -> list[str]:
    """The header neo4j-admin database import expects for a table's file.

    Example:
        >>> from kg.vocab import MENTIONS_TABLE
        >>> neo4j_header(MENTIONS_TABLE)
        [':START_ID(Paper)', ':END_ID(Concept)', 'role', 'count:long']
    """
    typed = [f"{name}{_NEO4J_TYPES[kind]}" for name, kind in table.properties]
    if table.is_rel:
        return [f":START_ID({table.source})", f":END_ID({table.target})", *typed]
    typed[0] = f"{KEY}:ID({table.name})"
    return [*typed, ":LABEL"] if table.name == CONCEPT else typed


def import_command(folder: Path, *, database: str = "neo4j") -> str:
    """The neo4j-admin command that loads an export folder into a new database."""
    nodes = " ".join(f"--nodes={t.name}={folder / _FILES[t.name]}" for t in NODE_TABLES)
    rels = " ".join(f"--relationships={t.name}={folder / _FILES[t.name]}" for t in REL_TABLES)
    return (
        f"neo4j-admin database import full {database} --overwrite-destination "
        f"{nodes} {rels} --array-delimiter=U+001F --multiline-fields=true "
        "--legacy-style-quoting=false --id-type=string"
    )


def _neo4j_field(value: object, where: str) -> str:
    """A CSV field as neo4j-admin reads it: null unquoted and empty, text quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        items = [str(v) for v in value]
        if any(ARRAY_DELIMITER in item for item in items):
            raise KGError(f"Cannot export {where}: a list item holds U+001F; clean the input")
        return _quoted(ARRAY_DELIMITER.join(items)) if items else ""
    return _quoted(str(value))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _neo4j_csv(data: GraphData, out: Path) -> list[Path]:
    written = []
    for table, rows in table_rows(data):

        def write(f: IO[str], table: Table = table, rows: Iterator[Row] = rows) -> None:
            f.write(",".join(neo4j_header(table)) + "\n")
            for row in rows:
                values = list(row.values())
                where = f"{table.name} {values[0]!r}"
                fields = [_neo4j_field(v, where) for v in values]
                if table.name == CONCEPT:
                    fields.append(_quoted(str(row["type"])))
                f.write(",".join(fields) + "\n")

        written.append(_atomic(out / _FILES[table.name], write))
    script = f"#!/bin/sh\n# Load this export into a new Neo4j database (stop it first).\n{import_command(out.resolve())}\n"
    written.append(_atomic(out / "import.sh", lambda f: _write_text(f, script)))
    return written


def _write_text(f: IO[str], text: str) -> None:
    f.write(text)


# -- plain CSV and JSON -------------------------------------------------------------------------


def _plain_field(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | dict):
        return _quoted(json.dumps(value, ensure_ascii=False))
    return _quoted(str(value))


def _plain_csv(data: GraphData, out: Path) -> list[Path]:
    written = []
    for table, rows in table_rows(data):

        def write(f: IO[str], table: Table = table, rows: Iterator[Row] = rows) -> None:
            ends = [SOURCE, TARGET] if table.is_rel else []
            f.write(",".join([*ends, *table.names]) + "\n")
            for row in rows:
                f.write(",".join(_plain_field(v) for v in row.values()) + "\n")

        written.append(_atomic(out / _FILES[table.name], write))
    return written


def _json(data: GraphData, f: IO[str]) -> None:
    """{"nodes": [{"key", "label", ...properties}], "relationships": [{"type", "source",
    "target", ...properties}]}, one element per line; nulls kept."""

    def dump(obj: dict[str, object]) -> str:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, allow_nan=False)

    f.write('{"nodes": [\n')
    first, in_rels = True, False
    for table, rows in table_rows(data):
        if table.is_rel and not in_rels:
            f.write('\n],\n"relationships": [\n')
            first, in_rels = True, True
        for row in rows:
            if table.is_rel:
                source, target = _endpoints(table, row)
                item: dict[str, object] = {"type": table.name, "source": source, "target": target}
                item.update({k: v for k, v in row.items() if k not in (SOURCE, TARGET)})
            else:
                item = {"key": node_key(table, row), "label": table.name, **row}
            f.write(("" if first else ",\n") + dump(item))
            first = False
    f.write("\n]}\n")


# -- GraphML and GEXF ---------------------------------------------------------------------------


def _xml_text(value: object, where: str) -> str:
    """An attribute value as XML text: lists JSON-encoded, booleans lower-case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)
    if _XML_BAD.search(text):
        raise KGError(
            f"Cannot export {where} to XML: it holds a control character or lone surrogate "
            "that XML cannot carry; rebuild (kg's readers drop them) or use --format json"
        )
    return text


def _label(table: Table, row: Row) -> str:
    return str(row.get("name") if table.name == CONCEPT else row.get("title"))


def _xml_keys() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, xml type) of every node and edge attribute, in a fixed order."""
    node: dict[str, str] = {"kind": "string", "label": "string"}
    for table in NODE_TABLES:
        for name, kind in table.properties:
            node.setdefault(name, _XML_TYPES[kind])
    edge: dict[str, str] = {"type": "string"}
    for table in REL_TABLES:
        for name, kind in table.properties:
            edge.setdefault(name, _XML_TYPES[kind])
    return list(node.items()), list(edge.items())


def _graphml(data: GraphData, f: IO[str]) -> None:
    node_keys, edge_keys = _xml_keys()
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    f.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
    for prefix, keys, target in (("n", node_keys, "node"), ("e", edge_keys, "edge")):
        for name, kind in keys:
            f.write(
                f'<key id="{prefix}_{name}" for="{target}" attr.name="{name}" '
                f'attr.type="{kind}"/>\n'
            )
    f.write('<graph id="kg" edgedefault="directed">\n')
    for table, rows in table_rows(data):
        for row in rows:
            if table.is_rel:
                source, target = _endpoints(table, row)
                where = f"{table.name} {source} -> {target}"
                attrs = {"type": table.name, **{k: row[k] for k in table.names}}
                head = f"<edge source={quoteattr(source)} target={quoteattr(target)}>"
                prefix, close = "e", "</edge>\n"
            else:
                key = node_key(table, row)
                where = key
                attrs = {"kind": table.name, "label": _label(table, row), **row}
                head, prefix, close = f"<node id={quoteattr(key)}>", "n", "</node>\n"
            body = "".join(
                f'<data key="{prefix}_{name}">{escape(_xml_text(value, where), _CR)}</data>'
                for name, value in attrs.items()
                if value is not None
            )
            f.write(head + body + close)
    f.write("</graph>\n</graphml>\n")


def _gexf(data: GraphData, f: IO[str]) -> None:
    node_keys, edge_keys = _xml_keys()
    node_keys = [(n, k) for n, k in node_keys if n != "label"]  # GEXF's own label attribute
    edge_keys = [(n, k) for n, k in edge_keys if n not in ("type", "weight")]
    ids = {name: str(i) for i, (name, _) in enumerate([*node_keys, *edge_keys])}
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    f.write('<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n')
    f.write('<graph defaultedgetype="directed" mode="static">\n')
    for cls, keys in (("node", node_keys), ("edge", edge_keys)):
        f.write(f'<attributes class="{cls}">\n')
        for name, kind in keys:
            f.write(f'<attribute id="{ids[name]}" title="{name}" type="{kind}"/>\n')
        f.write("</attributes>\n")
    f.write("<nodes>\n")
    edge_id = 0
    for table, rows in table_rows(data):
        if table.is_rel and table is REL_TABLES[0]:
            f.write("</nodes>\n<edges>\n")
        for row in rows:
            if table.is_rel:
                source, target = _endpoints(table, row)
                where = f"{table.name} {source} -> {target}"
                attrs = {k: row[k] for k in table.names if k != "weight"}
                weight = f' weight="{row["weight"]}"' if "weight" in row else ""
                head = (
                    f'<edge id="{edge_id}" source={quoteattr(source)} target={quoteattr(target)} '
                    f'label="{table.name}"{weight}>'
                )
                close = "</edge>\n"
                edge_id += 1
            else:
                key = node_key(table, row)
                where = key
                attrs = {"kind": table.name, **row}
                label = quoteattr(_xml_text(_label(table, row), where))
                head, close = f"<node id={quoteattr(key)} label={label}>", "</node>\n"
            values = "".join(
                f'<attvalue for="{ids[name]}" value={quoteattr(_xml_text(value, where))}/>'
                for name, value in attrs.items()
                if value is not None
            )
            f.write(f"{head}<attvalues>{values}</attvalues>{close}")
    f.write("</edges>\n</graph>\n</gexf>\n")
