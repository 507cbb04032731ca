"""A user's corrections of a build: corrections.toml in the build folder, applied at every graph build.

extractions.jsonl stays what the extractor found; every graph made from the folder (kg build,
kg build --update, kg correct --apply, kg viz, and the rows kg stats, kg export and kg explain
rebuild) is made from it with corrections.toml applied, so a correction survives every rebuild
and is undone by deleting it. The database and the views hold the corrected graph; a
corrected concept's `merged` notes say "corrected by user: …" with the file's line.

The file (TOML, comments kept; `kg correct` appends to it) holds tables of five kinds:

    [[merge]]                    # the concepts in `names` join the concept `into`
    into = "Kaggle MBTI"
    names = ["MBTI Kaggle"]

    [[split]]                    # an alias leaves a concept and becomes one of its own
    alias = "DPO"
    from = "Direct Preference Optimization"

    [[retype]]
    name = "SQuAD"
    type = "Benchmark"           # Method, Model, Dataset, Benchmark, Task or Metric

    [[reject]]                   # everywhere, or only in `paper`
    name = "state of the art"
    paper = "2401.01234"

    [[add]]                      # a concept extraction missed, to one paper
    paper = "Attention Is All You Need"
    name = "Adam"
    type = "Method"
    role = "used"                # proposed, used or mentioned (default)

A concept is named by its name, an alias or its id (case, hyphens and spaces aside), as it
comes out of extraction (or an earlier `add`); a paper by its id, its title or the start of it.
Corrections apply in the file's order. One that names nothing, or changes nothing, is reported
as a warning naming its line; a file that cannot be read is an error naming its line.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from kg.corpus import Reread, write_atomic
from kg.errors import InputError, KGError
from kg.folder import CORRECTIONS, read_meta
from kg.graph import GraphData, _is_acronym, _pick, _pick_type, graph_data
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role, concept_key

log = logging.getLogger(__name__)

FILE = CORRECTIONS
USER = "user"  # the `source` of an entity a user added
KINDS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # kind: (required, optional)
    "merge": (("into", "names"), ()),
    "split": (("alias", "from"), ()),
    "retype": (("name", "type"), ()),
    "reject": (("name",), ("paper",)),
    "add": (("paper", "name", "type"), ("role",)),
}
HEADER = """\
# Corrections to this kg build, applied by every 'kg build' and 'kg build --update' of the folder
# (and 'kg correct DIR --apply'). extractions.jsonl keeps what extraction found: delete an entry
# here to undo it. Name a concept by its name, an alias or its id; a paper by its id or title.
# Kinds: [[merge]] into/names, [[split]] alias/from, [[retype]] name/type,
# [[reject]] name (and paper), [[add]] paper/name/type (and role). See the README.
"""
_TABLE = re.compile(r"\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]")
_ANY_TABLE = re.compile(r"\s*\[")
_KEY = re.compile(r"\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")
_AT_LINE = re.compile(r"at line (\d+)")
_Fail = Callable[[str | None, str, str], InputError]


@dataclass(frozen=True, slots=True)
class Correction:
    """One entry of corrections.toml.

    `name` is the concept kept (merge), the alias split off (split), or the concept corrected;
    `names` the concepts merged into it; `source` the concept an alias is split from.
    """

    kind: str
    name: str
    names: tuple[str, ...] = ()
    source: str | None = None
    type: ConceptType | None = None
    role: Role | None = None
    paper: str | None = None
    line: int = 0

    def describe(self) -> str:
        """A short account of the correction, for messages.

        Example:
            >>> Correction("merge", "Kaggle MBTI", ("MBTI Kaggle",)).describe()
            "merge 'MBTI Kaggle' into 'Kaggle MBTI'"
        """
        if self.kind == "merge":
            return f"merge {', '.join(map(repr, self.names))} into {self.name!r}"
        if self.kind == "split":
            return f"split {self.name!r} from {self.source!r}"
        if self.kind == "retype":
            return f"retype {self.name!r} as {self.type}"
        if self.kind == "add":
            return (
                f"add {self.name!r} ({self.type}, {self.role or Role.MENTIONED}) to {self.paper!r}"
            )
        return f"reject {self.name!r}" + (f" in {self.paper!r}" if self.paper else "")

    def to_toml(self) -> str:
        """The entry as a TOML table, as `kg correct` appends it.

        Example:
            >>> print(Correction("reject", 'say "hi"', paper="p1").to_toml(), end="")
            [[reject]]
            name = "say \\"hi\\""
            paper = "p1"
        """
        tables: dict[str, dict[str, str | list[str] | None]] = {
            "merge": {"into": self.name, "names": list(self.names)},
            "split": {"alias": self.name, "from": self.source},
            "retype": {"name": self.name, "type": self.type},
            "reject": {"name": self.name, "paper": self.paper},
            "add": {"paper": self.paper, "name": self.name, "type": self.type, "role": self.role},
        }
        values = tables[self.kind]
        lines = [f"[[{self.kind}]]"]
        for key, value in values.items():
            if isinstance(value, list):
                lines.append(f"{key} = [{', '.join(map(_toml_string, value))}]")
            elif value is not None:
                lines.append(f"{key} = {_toml_string(str(value))}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Corrections:
    """The entries of one corrections file, in the file's order."""

    path: Path
    items: tuple[Correction, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one correction does to the build: `problem` says why it changes nothing."""

    correction: Correction
    detail: str = ""
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """What each correction of a file did."""

    path: Path
    outcomes: tuple[Outcome, ...] = ()

    def warnings(self) -> list[str]:
        """One line per correction that changes nothing, naming its line in the file."""
        return [
            f"{_where(self.path, o.correction)}: {o.correction.describe()}: {o.problem}; "
            "fix or delete the entry"
            for o in self.outcomes
            if o.problem
        ]

    def lines(self) -> list[str]:
        """One line per correction: where, what, and what it does or why it does nothing."""
        return [
            f"{_where(self.path, o.correction)}: {o.correction.describe()}: "
            + (f"NOT APPLIED: {o.problem}" if o.problem else o.detail)
            for o in self.outcomes
        ]


@dataclass(frozen=True, slots=True)
class Corrected:
    """Extractions with the corrections applied (read again on each pass when the input is),
    the report, and the notes each corrected concept gets in the graph."""

    extractions: Iterable[Extraction]
    report: Report
    notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    replaced: Mapping[str, frozenset[str]] = field(default_factory=dict)  # forms with user notes


# --- reading and writing the file -----------------------------------------------------------


def path_of(folder: Path) -> Path:
    """Where a build folder's corrections live."""
    return folder / FILE


def load(folder: Path) -> Corrections:
    """The corrections of a build folder (none if it has no corrections.toml).

    Raises:
        InputError: the file is not valid TOML or not corrections (names the line).
        BuildDirError: it is a link, a device, too big or not UTF-8.
    """
    path = path_of(folder)
    text = read_meta(path)
    return Corrections(path) if text is None else parse(text, path)


def parse(text: str, path: Path) -> Corrections:
    """Read corrections from the text of `path`, in the file's order.

    Example:
        >>> found = parse('[[retype]]\\nname = "SQuAD"\\ntype = "benchmark"\\n', Path("c.toml"))
        >>> [(c.kind, c.name, str(c.type), c.line) for c in found.items]
        [('retype', 'SQuAD', 'Benchmark', 1)]
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _AT_LINE.search(str(err))
        line = int(found.group(1)) if found else max(1, text.count("\n"))
        what = _AT_LINE.sub("", str(err)).replace("(, column", "(column").strip()
        raise InputError(path, f"not valid TOML ({what})", "fix the line", line=line) from None
    tables, keys = _layout(text)
    items: list[Correction] = []
    for kind, value in data.items():
        line = keys.get(kind) or next((t[0] for t in tables.get(kind, ())), 1)
        if kind not in KINDS:
            raise InputError(
                path,
                f"unknown correction {kind!r}",
                "write [[merge]], [[split]], [[retype]], [[reject]] or [[add]]",
                line=line,
            )
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise InputError(
                path, f"{kind!r} is not a list of tables", f"write [[{kind}]]", line=line
            )
        for n, entry in enumerate(value):
            at, key_lines = tables[kind][n] if n < len(tables.get(kind, ())) else (line, {})
            items.append(_entry(kind, entry, path, at, key_lines))
    return Corrections(path, tuple(sorted(items, key=lambda c: c.line)))


def _layout(text: str) -> tuple[dict[str, list[tuple[int, dict[str, int]]]], dict[str, int]]:
    """Where each [[kind]] table starts and where its keys are; where each top-level key is."""
    tables: dict[str, list[tuple[int, dict[str, int]]]] = defaultdict(list)
    top: dict[str, int] = {}
    current: dict[str, int] | None = top
    for n, line in enumerate(text.splitlines(), 1):
        if table := _TABLE.match(line):
            current = {}
            tables[table.group(1)].append((n, current))
        elif _ANY_TABLE.match(line):
            current = None
        elif current is not None and (key := _KEY.match(line)):
            current.setdefault(key.group(1).strip('"'), n)
    return tables, top


def _entry(
    kind: str, entry: Mapping[str, object], path: Path, line: int, key_lines: Mapping[str, int]
) -> Correction:
    required, optional = KINDS[kind]

    def fail(key: str | None, what: str, fix: str) -> InputError:
        return InputError(path, what, fix, line=key_lines.get(key or "", line))

    for key in entry:
        if key not in required and key not in optional:
            keys = ", ".join((*required, *optional))
            raise fail(key, f"[[{kind}]] has no key {key!r}", f"use {keys}")
    for key in required:
        if key not in entry:
            raise fail(None, f"[[{kind}]] needs {key!r}", f'add {key} = "…" to the entry')
    text = {key: _text(entry[key], kind, key, fail) for key in entry if key != "names"}
    names: tuple[str, ...] = ()
    if "names" in entry:
        raw = entry["names"]
        values = raw if isinstance(raw, list) else [raw]
        names = tuple(_text(v, kind, "names", fail) for v in values)
        if not names:
            raise fail("names", "[[merge]] names no concept", 'write names = ["…"]')
    ctype = _choice(text.get("type"), ConceptType, lambda w: fail("type", w, _one_of(ConceptType)))
    role = _choice(text.get("role"), Role, lambda w: fail("role", w, _one_of(Role)))
    return Correction(
        kind,
        text.get("into") or text.get("alias") or text["name"],
        names,
        text.get("from"),
        ConceptType(ctype) if ctype else None,
        Role(role) if role else None,
        text.get("paper"),
        line,
    )


def _text(value: object, kind: str, key: str, fail: _Fail) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(key, f"[[{kind}]] {key} is not a name", f'write {key} = "…"')
    return value.strip()


def _choice(value: str | None, enum: type[StrEnum], fail: Callable[[str], KGError]) -> str | None:
    """The enum value `value` names, case aside."""
    if value is None:
        return None
    for member in enum:
        if member.value.casefold() == value.casefold():
            return member.value
    raise fail(f"{value!r} is not a {enum.__name__}")


def _one_of(enum: type[StrEnum]) -> str:
    return "use one of " + ", ".join(m.value for m in enum)


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _where(path: Path, correction: Correction) -> str:
    return f"{path}:{correction.line}" if correction.line else str(path)


def append(folder: Path, correction: Correction) -> Corrections:
    """Add `correction` at the end of the folder's corrections file (made with a header of
    comments when there is none), keeping everything the user wrote; returns the corrections.

    The caller holds the folder's lock. The file is replaced atomically.
    """
    path = path_of(folder)
    before = read_meta(path)
    old = parse(before, path) if before is not None else Corrections(path)
    if any(_same(c, correction) for c in old.items):
        raise KGError(f"{path}: already has {correction.describe()}; nothing changed")
    text = HEADER if before is None else before
    if text and not text.endswith("\n"):
        text += "\n"
    text += "\n" + correction.to_toml()
    new = parse(text, path)
    if len(new.items) != len(old.items) + 1:  # e.g. a table left open at the end of the file
        raise KGError(f"{path}: cannot append to it safely; add the entry by hand")
    write_atomic(path, text)
    return new


def from_command(
    kind: str,
    names: Sequence[str],
    *,
    paper: str | None = None,
    source: str | None = None,
    type: str | None = None,
    role: str | None = None,
) -> Correction:
    """The correction `kg correct DIR KIND NAMES... [--paper P] [--from NAME] [--type T]
    [--role R]` asks for.

    Example:
        >>> from_command("merge", ["Kaggle MBTI", "MBTI Kaggle"]).describe()
        "merge 'MBTI Kaggle' into 'Kaggle MBTI'"
    """
    usage = {
        "merge": "merge NAME OTHER...",
        "split": "split ALIAS --from NAME",
        "retype": "retype NAME TYPE",
        "reject": "reject NAME [--paper PAPER]",
        "add": "add PAPER NAME --type TYPE [--role ROLE]",
    }
    if kind not in usage:
        raise KGError(f"no correction {kind!r}; use merge, split, retype, reject or add")
    options = {"--paper": paper, "--from": source, "--type": type, "--role": role}
    given = {option for option, value in options.items() if value is not None}
    allowed, needed, n_names = {
        "merge": (set(), set(), range(2, 1 << 16)),
        "split": ({"--from"}, {"--from"}, range(1, 2)),
        "retype": (set(), set(), range(2, 3)),
        "reject": ({"--paper"}, set(), range(1, 2)),
        "add": ({"--type", "--role"}, {"--type"}, range(2, 3)),
    }[kind]
    if len(names) not in n_names or given - allowed or needed - given:
        raise KGError(f"usage: kg correct DIR {usage[kind]}")
    texts = [n.strip() for n in (*names, *(v for v in options.values() if v is not None))]
    if not all(texts) or any(_bad_text(t) for t in texts):
        raise KGError(f"kg correct {kind}: a name is empty or not text; give names as they read")
    if kind == "retype":
        type = names[1]
    ctype = _choice(type, ConceptType, lambda what: KGError(f"{what}; {_one_of(ConceptType)}"))
    crole = _choice(role, Role, lambda what: KGError(f"{what}; {_one_of(Role)}"))
    first, rest = names[0].strip(), tuple(n.strip() for n in names[1:])
    return Correction(
        kind,
        rest[0] if kind == "add" else first,
        rest if kind == "merge" else (),
        source.strip() if source else None,
        ConceptType(ctype) if ctype else None,
        Role(crole) if crole else None,
        first if kind == "add" else (paper.strip() if paper else None),
    )


def _bad_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def record(folder: Path, correction: Correction) -> Correction:
    """Append `correction` to a build folder's corrections file under the folder's lock
    (`kg correct`); returns it with its line in the file."""
    from kg.folder import is_kg_build
    from kg.lock import LOCK_WAIT_S, dir_lock, recover

    if not is_kg_build(folder):
        raise KGError(f"{folder}: not a kg build folder; run 'kg build INPUT... -o {folder}' first")
    with dir_lock(folder, wait=LOCK_WAIT_S):
        recover(folder)
        return append(folder, correction).items[-1]


def _same(a: Correction, b: Correction) -> bool:
    return replace(a, line=0) == replace(b, line=0)


# --- applying them --------------------------------------------------------------------------


class _Index:
    """What one pass over the extractions tells about the names the corrections use."""

    def __init__(self, keys: set[str], paper_ids: set[str]) -> None:
        self.keys, self.paper_ids = keys, paper_ids
        self.by_id: dict[str, set[str]] = defaultdict(set)  # key -> concept ids equal to it
        self.by_form: dict[str, set[str]] = defaultdict(set)  # key -> ids with a form of that key
        self.acronyms: dict[str, set[str]] = defaultdict(set)  # as kg.graph joins acronyms
        self.names: dict[str, Counter[str]] = defaultdict(Counter)  # of ids named
        self.types: dict[str, Counter[str]] = defaultdict(Counter)
        self.forms: dict[str, set[str]] = defaultdict(set)
        self.n_papers: Counter[str] = Counter()
        self.in_paper: dict[str, set[str]] = defaultdict(set)  # papers named -> their ids
        self.some_name: dict[str, str] = {}  # every id -> a name, for "did you mean"

    def read(self, ext: Extraction) -> None:
        seen: set[str] = set()
        for ent in ext.entities:
            cid = ent.concept_id
            seen.add(cid)
            self.some_name.setdefault(cid, ent.name)
            forms = {ent.name, *ent.aliases, *(m.text for m in ent.mentions)}
            for alias in ent.aliases:
                key = concept_key(alias)
                if key != cid and _is_acronym(alias):
                    self.acronyms[key].add(cid)
            hits = {concept_key(f) for f in forms} & self.keys
            if cid in self.keys:
                self.by_id[cid].add(cid)
            for key in hits:
                self.by_form[key].add(cid)
            if hits or cid in self.keys:
                self.names[cid][ent.name] += 1
                self.types[cid][ent.type] += 1
                self.forms[cid].update(forms)
        self.n_papers.update(seen)
        if ext.paper_id in self.paper_ids:
            self.in_paper[ext.paper_id].update(seen)

    def finish(self) -> None:
        self.redirect = {k: next(iter(v)) for k, v in self.acronyms.items() if len(v) == 1}
        self.joined: dict[str, set[str]] = defaultdict(set)
        for key, target in self.redirect.items():
            self.joined[target].add(key)

    def concept(self, cid: str) -> str:
        return self.redirect.get(cid, cid)

    def members(self, gid: str) -> frozenset[str]:
        return frozenset({gid, *self.joined.get(gid, ())})


@dataclass(frozen=True, slots=True)
class _Target:
    id: str
    name: str
    type: ConceptType | None
    members: frozenset[str]
    n_papers: int

    def label(self) -> str:
        return f"{self.name!r} ({self.n_papers} paper{'s' if self.n_papers != 1 else ''})"


@dataclass(frozen=True, slots=True)
class _Step:
    """A correction, resolved: what to change in each paper's entities."""

    correction: Correction
    ids: frozenset[str] = frozenset()  # concept ids of the entities it changes
    to: _Target | None = None  # merge: the concept kept
    paper: str | None = None  # reject/add: in this paper only
    entity: Entity | None = None  # add: the entity added

    def apply(self, paper_id: str, ents: list[Entity]) -> list[Entity]:
        kind = self.correction.kind
        if self.paper is not None and paper_id != self.paper:
            return ents
        if kind == "add":
            assert self.entity is not None
            if any(e.concept_id == self.entity.concept_id for e in ents):
                return ents
            return [*ents, self.entity]
        if kind == "reject":
            return [e for e in ents if e.concept_id not in self.ids]
        if kind == "retype":
            assert self.correction.type is not None
            ctype = self.correction.type
            return [replace(e, type=ctype) if e.concept_id in self.ids else e for e in ents]
        if kind == "merge":
            return [self._merged(e) if e.concept_id in self.ids else e for e in ents]
        return self._split(ents)

    def _merged(self, ent: Entity) -> Entity:
        assert self.to is not None
        aliases = {ent.name, *ent.aliases} - {self.to.name}
        ctype = self.to.type or ent.type
        return replace(
            ent,
            concept_id=self.to.id,
            name=self.to.name,
            type=ctype,
            aliases=tuple(sorted(aliases)),
        )

    def _split(self, ents: list[Entity]) -> list[Entity]:
        alias = self.correction.name
        key = concept_key(alias)
        out: list[Entity] = []
        split_off: list[Entity] = []
        for ent in ents:
            if ent.concept_id not in self.ids:
                out.append(ent)
            elif concept_key(ent.name) == key:  # the paper names it by the alias alone
                kept = tuple(a for a in ent.aliases if concept_key(a) == key)
                out.append(replace(ent, concept_id=key, aliases=kept))
            else:
                moved = tuple(m for m in ent.mentions if concept_key(m.text) == key)
                rest = tuple(m for m in ent.mentions if concept_key(m.text) != key)
                aliases = tuple(a for a in ent.aliases if concept_key(a) != key)
                if rest or not ent.mentions:
                    out.append(replace(ent, mentions=rest, aliases=aliases))
                if moved:
                    split_off.append(
                        Entity(key, alias, ent.type, ent.role, moved, source=ent.source)
                    )
        return out + split_off


def correct(
    papers: Sequence[Paper], extractions: Iterable[Extraction], corrections: Corrections
) -> Corrected:
    """Apply `corrections` to the extractions of `papers`: a pure function of its inputs.

    The extractions are read once to resolve the names the corrections use, then corrected as
    they are read again: pass a list, or something that reads them anew on each pass
    (kg.corpus.Reread), so that a big corpus's extractions are never all in memory.
    """
    if not corrections.items:
        return Corrected(extractions, Report(corrections.path))
    if iter(extractions) is extractions:  # a one-shot iterator cannot give two passes
        extractions = list(extractions)
    found_papers: dict[int, str | KGError] = {}
    for n, c in enumerate(corrections.items):
        if c.paper is not None:
            found_papers[n] = _find_paper(papers, c.paper)
    keys = {concept_key(name) for c in corrections.items for name in _names(c)}
    index = _Index(keys, {pid for pid in found_papers.values() if isinstance(pid, str)})
    for ext in extractions:
        index.read(ext)
    index.finish()
    plan = _Plan(index, papers, corrections.path)
    for n, c in enumerate(corrections.items):
        plan.resolve(c, found_papers.get(n))
    steps = tuple(plan.steps)
    source = extractions

    def corrected() -> Iterable[Extraction]:
        for ext in source:
            ents = list(ext.entities)
            for step in steps:
                ents = step.apply(ext.paper_id, ents)
            yield ext if ents == list(ext.entities) else replace(ext, entities=tuple(ents))

    out = Reread(lambda: iter(corrected()))
    notes = {cid: tuple(sorted(found)) for cid, found in plan.notes.items()}
    replaced = {cid: frozenset(forms) for cid, forms in plan.replaced.items()}
    return Corrected(out, Report(corrections.path, tuple(plan.outcomes)), notes, replaced)


def _names(c: Correction) -> tuple[str, ...]:
    return (c.name, *c.names, *([c.source] if c.source else []))


def _find_paper(papers: Sequence[Paper], text: str) -> str | KGError:
    from kg.search import find_paper

    try:
        return find_paper(papers, text).id
    except KGError as err:
        return err


class _Plan:
    """Resolves corrections in the file's order, each against the concepts as extracted plus
    earlier adds and merges, into steps, outcomes and graph notes."""

    def __init__(self, index: _Index, papers: Sequence[Paper], path: Path) -> None:
        self.index, self.path = index, path
        self.papers = {p.id: p for p in papers}
        self.steps: list[_Step] = []
        self.outcomes: list[Outcome] = []
        self.notes: dict[str, set[str]] = defaultdict(set)
        self.replaced: dict[str, set[str]] = defaultdict(set)
        self.merged_into: dict[str, str] = {}
        self.rejected: dict[str, int] = {}

    def resolve(self, c: Correction, paper: str | KGError | None) -> None:
        if isinstance(paper, KGError):
            self.outcomes.append(Outcome(c, problem=str(paper)))
            return
        try:
            step, detail = getattr(self, f"_{c.kind}")(c, paper)
        except _Unresolved as why:
            self.outcomes.append(Outcome(c, problem=str(why)))
            return
        self.steps.append(step)
        self.outcomes.append(Outcome(c, detail))

    def _note(self, cid: str, form: str, c: Correction, what: str) -> None:
        line = f"{self.path.name}:{c.line}" if c.line else self.path.name
        self.notes[cid].add(f"{form}: corrected by user: {what} ({line})")

    def target(self, name: str) -> _Target:
        idx = self.index
        key = concept_key(name)
        direct = {idx.concept(cid) for cid in idx.by_id.get(key, ())}
        found = direct or {idx.concept(cid) for cid in idx.by_form.get(key, ())}
        found = {self._follow(gid) for gid in found}
        if not found:
            close = difflib.get_close_matches(name, sorted(set(idx.some_name.values())), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _Unresolved(f"no concept named {name!r}{hint}")
        if len(found) > 1:
            shown = ", ".join(sorted(found)[:5])
            raise _Unresolved(f"{name!r} names {len(found)} concepts ({shown}); name one by its id")
        gid = found.pop()
        if gid in self.rejected:
            raise _Unresolved(f"{name!r} is rejected at line {self.rejected[gid]}")
        members = idx.members(gid)
        names = idx.names.get(gid)
        types = idx.types.get(gid)
        return _Target(
            gid,
            _pick(names) if names else name,
            ConceptType(_pick_type(types)) if types else None,
            members,
            sum(idx.n_papers[cid] for cid in members),
        )

    def _follow(self, gid: str) -> str:
        while gid in self.merged_into:
            gid = self.merged_into[gid]
        return gid

    def _merge(self, c: Correction, _: None) -> tuple[_Step, str]:
        into = self.target(c.name)
        ids: set[str] = set()
        labels = []
        for name in c.names:
            other = self.target(name)
            if other.id == into.id:
                raise _Unresolved(f"{name!r} is already {into.name!r}")
            ids |= other.members
            labels.append(other.label())
            forms = {f for cid in other.members for f in self.index.forms.get(cid, ())}
            for form in sorted(forms | {other.name}):
                if concept_key(form) != into.id:
                    self._note(into.id, form, c, f"merged into {into.name}")
                    self.replaced[into.id].add(form)
            for cid in other.members:
                self.merged_into[cid] = into.id
            self.index.forms[into.id] |= forms
        return _Step(c, frozenset(ids), into), f"{', '.join(labels)} into {into.label()}"

    def _split(self, c: Correction, _: None) -> tuple[_Step, str]:
        whole = self.target(c.source or "")
        key = concept_key(c.name)
        if key == whole.id:
            raise _Unresolved(f"{c.name!r} is {whole.name!r}'s own name, not an alias")
        forms = {concept_key(f) for cid in whole.members for f in self.index.forms.get(cid, ())}
        if key not in forms | whole.members:
            raise _Unresolved(f"{whole.name!r} has no alias {c.name!r}")
        self._note(key, c.name, c, f"split from {whole.name}")
        self._note(whole.id, c.name, c, "split off into its own concept")
        return _Step(c, whole.members), f"from {whole.label()}"

    def _retype(self, c: Correction, _: None) -> tuple[_Step, str]:
        it = self.target(c.name)
        if it.type == c.type and all(set(self.index.types[m]) <= {c.type} for m in it.members):
            raise _Unresolved(f"{it.name!r} is a {c.type} already")
        self._note(it.id, it.name, c, f"retyped as {c.type}")
        return _Step(c, it.members), f"{it.label()}, was {it.type}"

    def _reject(self, c: Correction, paper: str | None) -> tuple[_Step, str]:
        it = self.target(c.name)
        if paper is None:
            self.rejected[it.id] = c.line
            return _Step(c, it.members), f"{it.label()} removed"
        if not self.index.in_paper.get(paper, set()) & it.members:
            raise _Unresolved(f"{it.name!r} is not in paper {paper}")
        self._note(it.id, it.name, c, f"rejected in paper {paper}")
        return _Step(c, it.members, paper=paper), f"{it.label()} removed from {paper}"

    def _add(self, c: Correction, paper: str | None) -> tuple[_Step, str]:
        assert paper is not None
        assert c.type is not None
        try:
            it: _Target | None = self.target(c.name)
        except _Unresolved:
            it = None
        cid, name = (it.id, it.name) if it else (concept_key(c.name), c.name)
        if not cid:
            raise _Unresolved(f"{c.name!r} has no letters or digits to make a concept of")
        if it and self.index.in_paper.get(paper, set()) & it.members:
            raise _Unresolved(f"{it.name!r} is in paper {paper} already")
        role = c.role or Role.MENTIONED
        entity = Entity(
            cid, name, c.type, role, _mentions(self.papers[paper], c.name, name), source=USER
        )
        if it is None:  # later corrections may name it
            idx = self.index
            idx.by_id[cid].add(cid)
            idx.names[cid][name] += 1
            idx.types[cid][c.type] += 1
            idx.forms[cid].add(name)
        self.index.n_papers[cid] += 1
        self.index.in_paper[paper].add(cid)
        self._note(cid, name, c, f"added to paper {paper} as {c.type}, {role}")
        return _Step(c, paper=paper, entity=entity), f"{name!r} added to {paper}"


class _Unresolved(Exception):
    """A correction that names nothing there is, or changes nothing."""


def _mentions(paper: Paper, *forms: str) -> tuple[Mention, ...]:
    """Where the paper's title and abstract name one of `forms` (case aside, whole words)."""
    found: dict[tuple[str, int], Mention] = {}
    for fld, text in (("title", paper.title), ("abstract", paper.abstract)):
        for form in forms:
            pattern = rf"(?<!\w){re.escape(form)}(?!\w)"
            for match in re.finditer(pattern, text, re.IGNORECASE):
                found.setdefault(
                    (fld, match.start()), Mention(match.group(), match.start(), match.end(), fld)
                )
    return tuple(found[k] for k in sorted(found, key=lambda k: (k[0] != "title", k[1])))


def annotate(data: GraphData, corrected: Corrected) -> GraphData:
    """The graph with each corrected concept's `merged` notes saying "corrected by user: …"
    (in place of what the extractor's notes said about the forms a correction moved)."""
    if not corrected.notes:
        return data
    concepts = []
    for concept in data.concepts:
        notes = corrected.notes.get(concept.id)
        if notes:
            moved = corrected.replaced.get(concept.id, frozenset())
            kept = {n for n in concept.merged if n.partition(": ")[0] not in moved}
            concept = replace(concept, merged=tuple(sorted(kept | set(notes))))
        concepts.append(concept)
    return replace(data, concepts=tuple(concepts))


def corrected_graph(
    papers: Sequence[Paper], extractions: Iterable[Extraction], folder: Path | None
) -> GraphData:
    """graph_data over the extractions with `folder`'s corrections applied, each correction that
    changes nothing logged as a warning. The call every graph of a build folder is made by."""
    corrections = load(folder) if folder is not None else None
    if corrections is None or not corrections.items:
        return graph_data(papers, extractions)
    done = correct(papers, extractions, corrections)
    for warning in done.report.warnings():
        log.warning("%s", warning)
    return annotate(graph_data(papers, done.extractions), done)


def corrected_reader(
    papers: Sequence[Paper], read: Callable[[], Iterator[Extraction]], folder: Path
) -> Callable[[], Iterator[Extraction]]:
    """`read` (a fresh iterator of extractions on each call) with `folder`'s corrections applied
    to what it reads; for the views and explanations that read extractions beside the graph
    (the graph's own build reports what does not apply)."""
    corrections = load(folder)
    if not corrections.items:
        return read
    done = correct(papers, Reread(read), corrections)
    return lambda: iter(done.extractions)


def corrected_corpus(folder: Path) -> tuple[list[Paper], list[Extraction], GraphData]:
    """A build folder's papers, its extractions with its corrections applied, and their graph:
    for commands that show extractions beside the graph (kg explain's evidence)."""
    from kg import corpus
    from kg.lock import settle

    settle(folder)
    papers = corpus.read_papers(folder / corpus.PAPERS, in_build=True)
    extractions = corpus.read_extractions(folder / corpus.EXTRACTIONS, in_build=True)
    done = correct(papers, extractions, load(folder))
    fixed = list(done.extractions)
    return papers, fixed, annotate(graph_data(papers, fixed), done)


def check(folder: Path) -> Report:
    """What each of a build folder's corrections does to its extractions."""
    from kg import corpus
    from kg.lock import settle

    settle(folder)
    corrections = load(folder)
    if not corrections.items:
        return Report(corrections.path)
    papers = corpus.read_papers(folder / corpus.PAPERS, in_build=True)
    path = folder / corpus.EXTRACTIONS
    extractions = Reread(lambda: corpus.iter_extractions(path, in_build=True))
    return correct(papers, extractions, corrections).report
