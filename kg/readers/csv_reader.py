"""Read papers from CSV or TSV with a header row (generic, Scopus, IEEE Xplore, Web of Science).

Column names match case-insensitively with the export headers of Scopus ("Title",
"Abstract", "Year", "DOI", "Authors", "Author Keywords"), IEEE Xplore ("Document Title",
"Publication Year", "PDF Link") and Web of Science tab-delimited files ("TI", "AB", "AU",
"PY", "DI"). The delimiter of a .csv file is read off its header (",", ";" or tab). Fields are placed by
the header's columns: a row with more fields than the header (Scopus ends most rows with one
more) is read, and a row is bad only when a named column (title, abstract, id…) is missing.
A row whose quote is never closed swallows the lines after it; such a row is reported and
the lines after its first are read again.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain

from kg.errors import InputError
from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.record import Skipped, bad_bytes, make_paper, resolve_keys

MAX_FIELD_CHARS = 64 * 1024 * 1024
_QUOTED = re.compile(r'"[^"]*"')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WOS_TAGS = frozenset({"PT", "AU", "TI"})


class _Tap:
    """An iterator over lines that remembers the lines the csv reader took for one row."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.taken: list[str] = []

    def __iter__(self) -> _Tap:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.taken.append(line)
        return line


def sniff_delimiter(header: str) -> str:
    """Return the delimiter used most in a header line, outside quotes.

    Example:
        >>> sniff_delimiter('"Title";"Abstract";"Year"'), sniff_delimiter("id,title,abstract")
        (';', ',')
    """
    bare = _QUOTED.sub("", header)
    return max(",;\t", key=bare.count)


def _header_error(path: str, line: int, header: list[str], what: str, fix: str) -> InputError:
    shown = ", ".join(repr(h) for h in header[:12]) + (", …" if len(header) > 12 else "")
    return InputError(path, f"{what} among the columns {shown}", fix, line=line)


def _column_index(
    path: str, line: int, header: list[str], columns: Mapping[str, str] | None
) -> dict[str, int]:
    control = next((cell for cell in header if _CONTROL.search(cell)), None)
    if control is not None:  # else "id\x00" silently stops being the id column
        raise _header_error(
            path,
            line,
            header,
            f"a control character (such as NUL) in the column name {control!r}",
            "remove it, or re-save the file as UTF-8 text",
        )
    chosen = resolve_keys(header, columns)
    for field, name in (columns or {}).items():
        if field not in chosen:
            raise _header_error(
                path, line, header, f"no column {name!r} for {field}", "fix --columns"
            )
    if "title" not in chosen:
        raise _header_error(
            path, line, header, "no title column", "name it with --columns title=COLUMN"
        )
    for name in chosen.values():
        if header.count(name) > 1:
            raise InputError(
                path, f"column {name!r} appears twice in the header", "rename one", line=line
            )
    return {field: header.index(name) for field, name in chosen.items()}


def _reader(tap: _Tap, delimiter: str, *, is_wos: bool) -> Iterator[list[str]]:
    if is_wos:  # Web of Science does not quote fields, and titles may start with a quote
        return csv.reader(tap, delimiter=delimiter, quoting=csv.QUOTE_NONE)
    return csv.reader(tap, delimiter=delimiter)


def read_csv(
    lines: Iterable[str],
    *,
    path: str,
    columns: Mapping[str, str] | None = None,
    delimiter: str | None = None,
) -> Iterator[Paper | Skipped]:
    """Yield a Paper per data row, or a Skipped naming the row's first line."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    rest = iter(lines)
    n_blank = 0
    for first in rest:
        if first.strip():
            break
        n_blank += 1
    else:
        return
    delimiter = delimiter or sniff_delimiter(first)
    header_cells = [cell.strip() for cell in first.rstrip("\n").split(delimiter)]
    is_wos = set(header_cells) >= WOS_TAGS
    tap = _Tap(chain([first], rest))
    reader = _reader(tap, delimiter, is_wos=is_wos)
    header = [cell.strip() for cell in next(reader)]
    line = n_blank + len(tap.taken)
    index = _column_index(path, n_blank + 1, header, columns)
    n_records = 0
    while True:
        tap.taken.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            n_records += 1
            yield Skipped(path, line + 1, n_records, f"bad CSV ({err}); fix the row")
            line += len(tap.taken)
            reader = _reader(tap, delimiter, is_wos=is_wos)
            continue
        start, line = line + 1, line + len(tap.taken)
        if not any(cell.strip() for cell in row):
            continue
        n_records += 1
        if _is_swallowed(row, len(header), n_lines=len(tap.taken)):
            reason = (
                f"a quote opened here is not closed (the row runs over {len(tap.taken)} lines)"
                "; close the quote"
            )
            yield Skipped(path, start, n_records, reason)
            line = start
            tap.lines = chain(tap.taken[1:], tap.lines)
            reader = _reader(tap, delimiter, is_wos=is_wos)
            continue
        yield _row_paper(row, index, len(header), path=path, line=start, record=n_records)


def _is_swallowed(row: list[str], width: int, *, n_lines: int) -> bool:
    """Tell a row whose quote never closed: it runs over lines and its fields do not fit.

    A row one field longer than the header is a whole row: Scopus ends most rows with an
    extra field, Web of Science with a tab.
    """
    return n_lines > 1 and len(row) not in (width, width + 1)


def _row_paper(
    row: list[str], index: Mapping[str, int], width: int, *, path: str, line: int, record: int
) -> Paper | Skipped:
    if len(row) <= max(index.values()):  # fields past the header's are not ours to read
        reason = (
            f"{len(row)} fields where the header has {width}; fix the row's quotes or delimiters"
        )
        return Skipped(path, line, record, reason)
    problem = next((p for p in map(bad_bytes, row) if p), None)
    if problem:
        return Skipped(path, line, record, problem)
    try:
        return make_paper({field: row[i] for field, i in index.items()}, path=path)
    except FieldError as err:
        return Skipped(path, line, record, str(err))
