"""Answers of scholarly APIs saved as JSON: an envelope with a list, a bare list, one object, or
JSON Lines of objects (bulk datasets). Semantic Scholar and OpenAlex are read through here."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from kg.errors import InputError
from kg.readers.jsonl import RecordError, parse_object
from kg.readers.record import Skipped, bad_bytes
from kg.readers.source import join_lines

Item = tuple[int | None, int, dict[str, Any]]  # (line, record number, object)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _decode(text: str, path: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        what = f"bad JSON ({err.msg}) at column {err.colno}"
        raise InputError(path, what, "save the API's answer again", line=err.lineno) from err
    except RecursionError as err:
        raise InputError(path, "JSON nested too deeply", "save the API's answer again") from err
    except ValueError as err:  # NaN, or an integer longer than Python's digit limit
        raise InputError(path, f"bad JSON value ({err})", "save the API's answer again") from err


def _is_json_lines(text: str) -> bool:
    lines = [line for line in text.split("\n", 3)[:3] if line.strip()]
    return len(lines) > 1 and all(line.lstrip().startswith("{") for line in lines)


def _read_json_lines(text: str, path: str) -> Iterator[Item | Skipped]:
    n_records = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        n_records += 1
        try:
            yield number, n_records, parse_object(line)
        except RecordError as err:
            yield Skipped(path, number, n_records, str(err))


def iter_objects(
    lines: Iterable[str], *, path: str, list_keys: tuple[str, ...]
) -> Iterator[Item | Skipped]:
    """Yield each object of the file's list (under one of `list_keys`, or bare), or the one object.

    Raises:
        InputError: the document is not JSON (a broken API answer cannot be read in part).
    """
    text = join_lines(lines, path, what="a JSON document", fix="save it as JSON Lines")
    problem = bad_bytes(text)
    if problem:
        what, _, fix = problem.partition("; ")
        raise InputError(path, what, fix)
    if _is_json_lines(text):
        yield from _read_json_lines(text, path)
        return
    value = _decode(text, path)
    if isinstance(value, dict):
        listed = next((value[k] for k in list_keys if isinstance(value.get(k), list)), None)
        items: list[Any] = [value] if listed is None else listed
    elif isinstance(value, list):
        items = value
    else:
        raise InputError(
            path, f"a JSON {_kind(value)}, not an object or a list", "save the API's answer"
        )
    for n, item in enumerate(items, start=1):
        if isinstance(item, dict):
            yield None, n, item
        else:
            yield Skipped(path, None, n, f"a JSON {_kind(item)}, not an object; remove it")
