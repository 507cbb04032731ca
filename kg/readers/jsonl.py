"""Read papers from JSON Lines (one object a line) and from JSON arrays of objects.

Keys are matched case-insensitively with common synonyms (summary -> abstract, arxiv_id ->
id, link -> url, published -> date); an "id" is kept exactly as given. An object with a
nested "paper" object (the Hugging Face daily-papers API) is read through it.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.record import Skipped, bad_bytes, make_paper, resolve_keys
from kg.readers.source import join_lines

log = logging.getLogger(__name__)
_SPACE = re.compile(r"[ \t\r\n]*")  # in C: a document may hold megabytes of blanks
_LIST_KEYS = ("papers", "data", "items", "records", "results", "entries")


class RecordError(ValueError):
    """One JSON record cannot be used; the message is 'what; fix'."""


def _no_constant(name: str) -> Any:
    raise RecordError(f"{name} is not valid JSON; write null or a number")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        twice = sorted(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        log.warning("duplicate keys %s in one object; the last value of each is used", twice)
    return obj


_DECODER = json.JSONDecoder(parse_constant=_no_constant, object_pairs_hook=_pairs)


def parse_object(text: str) -> dict[str, Any]:
    """Parse one JSON object; raise RecordError with a 'what; fix' message."""
    problem = bad_bytes(text)
    if problem:
        raise RecordError(problem)
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as err:
        cut = err.pos >= len(text.rstrip()) or err.msg.startswith("Unterminated string")
        what = "truncated JSON" if cut else f"bad JSON ({err.msg})"
        raise RecordError(f"{what} at column {err.colno}; fix or remove the line") from err
    except RecursionError as err:
        raise RecordError("JSON nested too deeply; remove the line") from err
    except ValueError as err:  # integers longer than Python's digit limit
        raise RecordError(f"bad JSON value ({err}); fix or remove the line") from err
    if not isinstance(value, dict):
        kind = "null" if value is None else type(value).__name__
        raise RecordError(f"a JSON {kind}, not an object; write one object per record")
    return value


def paper_from_object(
    obj: Mapping[str, Any], *, path: str, columns: Mapping[str, str] | None = None
) -> Paper:
    """Build a Paper from one JSON object; raise FieldError if it cannot be used."""
    nested = obj.get("paper")
    if isinstance(nested, dict):  # {"paper": {"id": …, "summary": …}, "title": …}
        obj = {**obj, **nested}
    keys = resolve_keys(obj.keys(), columns)
    values = {field: obj[key] for field, key in keys.items()}
    return make_paper(values, path=path)


def read_jsonl(
    lines: Iterable[str], *, path: str, columns: Mapping[str, str] | None = None
) -> Iterator[Paper | Skipped]:
    """Yield a Paper per non-blank line, or a Skipped naming the line."""
    n_records = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        n_records += 1
        try:
            yield paper_from_object(parse_object(line), path=path, columns=columns)
        except (RecordError, FieldError) as err:
            yield Skipped(path, number, n_records, str(err))


def read_json(
    lines: Iterable[str], *, path: str, columns: Mapping[str, str] | None = None
) -> Iterator[Paper | Skipped]:
    """Yield the papers of a JSON array (or of JSON Lines saved as .json)."""
    text = join_lines(lines, path, what="a JSON document", fix="convert it to JSON Lines")
    start = len(text) - len(text.lstrip())
    if text[start : start + 1] != "[":
        yield from _read_object_document(text, path=path, columns=columns)
        return
    yield from _read_array(text, start + 1, path=path, columns=columns)


def _read_array(
    text: str, pos: int, *, path: str, columns: Mapping[str, str] | None
) -> Iterator[Paper | Skipped]:
    line, counted = 1, 0
    n_records = 0
    while True:
        pos = _skip_space(text, pos)
        if pos >= len(text) or text[pos] == "]":
            if pos >= len(text):
                yield Skipped(path, line, None, "the JSON array is not closed; add ']'")
            return
        line += text.count("\n", counted, pos)
        counted = pos
        n_records += 1
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError, RecordError, ValueError) as err:
            reason = str(err) if isinstance(err, RecordError) else _decode_reason(err)
            yield Skipped(path, line, n_records, reason)
            return  # where the next element starts is unknown
        problem = bad_bytes(text[pos:end])
        if problem:
            yield Skipped(path, line, n_records, problem)
        else:
            yield from _one_value(value, path=path, line=line, record=n_records, columns=columns)
        pos = _skip_space(text, end)
        if text[pos : pos + 1] == ",":
            pos += 1
        elif text[pos : pos + 1] != "]":
            line += text.count("\n", counted, pos)
            yield Skipped(path, line, None, "expected ',' or ']' in the JSON array; fix it")
            return


def _decode_reason(err: Exception) -> str:
    if isinstance(err, RecursionError):
        return "JSON nested too deeply; remove the element"
    if isinstance(err, json.JSONDecodeError):
        return f"bad JSON ({err.msg}) at column {err.colno}; fix the element"
    return f"bad JSON value ({err}); fix the element"


def _skip_space(text: str, pos: int) -> int:
    blank = _SPACE.match(text, pos)
    return blank.end() if blank else pos


def _one_value(
    value: object, *, path: str, line: int | None, record: int, columns: Mapping[str, str] | None
) -> Iterator[Paper | Skipped]:
    if not isinstance(value, dict):
        kind = "null" if value is None else type(value).__name__
        yield Skipped(path, line, record, f"a JSON {kind}, not an object; remove it")
        return
    try:
        yield paper_from_object(value, path=path, columns=columns)
    except FieldError as err:
        yield Skipped(path, line, record, str(err))


def _read_object_document(
    text: str, *, path: str, columns: Mapping[str, str] | None
) -> Iterator[Paper | Skipped]:
    try:
        value = _DECODER.decode(text)
    except (json.JSONDecodeError, RecordError, RecursionError, ValueError):
        yield from read_jsonl(text.split("\n"), path=path, columns=columns)  # JSON Lines
        return
    problem = bad_bytes(text)
    if problem:
        yield Skipped(path, None, 1, problem)
        return
    if not isinstance(value, dict):
        yield from _one_value(value, path=path, line=1, record=1, columns=columns)
        return
    listed = next((value[k] for k in _LIST_KEYS if isinstance(value.get(k), list)), None)
    if listed is None:
        yield from _one_value(value, path=path, line=1, record=1, columns=columns)
        return
    for n, item in enumerate(listed, start=1):
        yield from _one_value(item, path=path, line=None, record=n, columns=columns)
