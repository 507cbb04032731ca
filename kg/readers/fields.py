"""Field values as the input files write them -> our types: authors, categories, dates, text."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from kg.text import clean_text

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|2[01]\d\d)(?!\d)")
_ISO_DAY = re.compile(r"(\d{4})-(\d\d)-(\d\d)")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


class FieldError(ValueError):
    """A field holds a value of the wrong kind; the message is 'what; fix'."""


def as_text(value: object, field: str) -> str:
    """Return a text field as a string (numbers too); raise FieldError for lists and the like."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise FieldError(f"field {field!r} is {type(value).__name__}, not text; give a string")


def parse_authors(value: object) -> tuple[str, ...]:
    """Return author names from a list (of names, {"name": …} or [last, first]) or a string.

    Example:
        >>> parse_authors("A. Smith, B. Jones and C. Wu")
        ('A. Smith', 'B. Jones', 'C. Wu')
        >>> parse_authors("Smith, John; Doe, Jane"), parse_authors([{"name": "X Y"}])
        (('Smith, John', 'Doe, Jane'), ('X Y',))
        >>> parse_authors("Massimo Aria|Corrado Cuccurullo")
        ('Massimo Aria', 'Corrado Cuccurullo')
    """
    if value is None:
        return ()
    if isinstance(value, str):
        names = _split_names(value)
    elif isinstance(value, list | tuple):
        names = [_one_name(item) for item in value]
    else:
        raise FieldError(f"field 'authors' is {type(value).__name__}; give a list or a string")
    cleaned = (clean_text(name) for name in names)
    return tuple(dict.fromkeys(name for name in cleaned if name))


def _one_name(item: object) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        name = item.get("name") or item.get("full_name") or ""
        if not name:
            name = f"{item.get('given') or ''} {item.get('family') or ''}"
        return as_text(name, "authors")
    if isinstance(item, list | tuple) and item and all(isinstance(p, str) for p in item):
        last, first = item[0], item[1] if len(item) > 1 else ""  # arXiv's authors_parsed
        return f"{first} {last} {' '.join(item[2:])}"
    raise FieldError(f"an author is {type(item).__name__}; give names as strings")


def _split_names(text: str) -> list[str]:
    for separator in (";", "|"):  # Scopus and Web of Science; OpenAlex's CSV
        if separator in text:
            return text.split(separator)
    names: list[str] = []
    for part in _AND.split(text):
        pieces = part.split(",")
        # "A. Smith, B. Jones" lists names; "Smith, John" is one name written last-first.
        if len(pieces) > 1 and all(len(p.split()) > 1 for p in pieces):
            names.extend(pieces)
        else:
            names.append(part)
    return names


def parse_categories(value: object) -> tuple[str, ...]:
    """Return categories from a list or a string split on ';', ',' or spaces.

    Example:
        >>> parse_categories("cs.CL cs.AI"), parse_categories("deep learning; NLP")
        (('cs.CL', 'cs.AI'), ('deep learning', 'NLP'))
    """
    if value is None:
        return ()
    if isinstance(value, str):
        sep = ";" if ";" in value else "," if "," in value else None
        items: list[object] = list(value.split(sep))
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise FieldError(f"field 'categories' is {type(value).__name__}; give a list or string")
    names = (clean_text(as_text(item, "categories"), latex=False) for item in items)
    return tuple(dict.fromkeys(name for name in names if name))


def parse_date(value: object) -> tuple[int | None, str | None]:
    """Return (year, ISO date) from a year, an ISO date/time or an e-mail style date.

    Example:
        >>> parse_date("2023-10-11T08:52:35Z"), parse_date("Mon, 2 Apr 2007 19:18:42 GMT")
        ((2023, '2023-10-11'), (2007, '2007-04-02'))
        >>> parse_date(2021), parse_date("March 2020"), parse_date("n.d.")
        ((2021, None), (2020, None), (None, None))
    """
    if isinstance(value, bool) or value is None:
        return None, None
    if isinstance(value, int):
        return (value if 1500 <= value <= 2199 else None), None
    if not isinstance(value, str):
        return None, None
    text = value.strip()
    day = _ISO_DAY.match(text)
    if day:
        return _checked_day(int(day[1]), int(day[2]), int(day[3]))
    if "," in text and ":" in text:
        try:
            stamp = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            stamp = None
        if stamp is not None:
            return stamp.year, stamp.date().isoformat()
    year = _YEAR.search(text)
    return (int(year[1]) if year else None), None


def _checked_day(year: int, month: int, day: int) -> tuple[int | None, str | None]:
    try:
        return year, dt.date(year, month, day).isoformat()
    except ValueError:
        return (year if 1500 <= year <= 2199 else None), None


def parse_year(value: object) -> int | None:
    """Return a year from an int or a string such as "2021" or "{2021}"."""
    if isinstance(value, str):
        value = value.strip(" {}")
        if value.isdigit():
            value = int(value)
    return parse_date(value)[0]
