"""Propose gazetteer entries from the annotated training papers (extract/eval/recent/train.jsonl).

Not shipped. Every concept annotated in the training split is a candidate entry (name, type,
aliases); a filter keeps only those specific enough to help on new papers:

- the dominant type across the papers that annotate the concept has at least `dominance` share;
- it is annotated in at least `min_papers` papers, and a name only ever `proposed` (a paper's own
  coinage) needs `min_coined` papers;
- a single lower-case word ("robustness", "clustering") needs `min_single` papers, and a generic
  word or phrase ("model", "our approach") is never taken;
- no form clashes with an existing entry (the existing entry wins; a clashing alias is dropped),
  and a short acronym alias needs `min_acronym` papers that pair it with this name (papers coin
  their own acronyms);
- Model names with a size ("Qwen2.5-7B") are left out; names longer than `max_words` words too;
- of the learning papers whose text contains one of its forms, at least `min_ratio` annotate it
  (a phrase that annotators often read without marking it would add false hits).

Proper names (any capital letter) are marked case-sensitive, so a learned "Flow" or "Iskra" never
matches ordinary prose.

    python extract/training/learn_gazetteer.py halves extract/eval/recent/train.jsonl
    python extract/training/learn_gazetteer.py add extract/eval/recent/train.jsonl

`halves` measures a grid of filters by leave-half-out: entries learned from half A are scored on
half B with kg's evaluation (typed and coarse paper-level P/R/F1), and the reverse. `add` writes
the entries learned from all of train into extract/data/gazetteer.jsonl with source "recent-train".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from extract import gazetteer as gz  # noqa: E402
from extract.normalize import singular, split_size  # noqa: E402
from kg.model import ConceptType, concept_key  # noqa: E402

# Words and phrases that name no concept on their own (as in tests/test_gazetteer.py, and more).
_GENERIC = """
model models data dataset datasets method methods network networks agent agents learning
attention training inference system systems framework approach task tasks benchmark
benchmarks bench evaluation analysis algorithm architecture performance image images text
language languages prediction generation retrieval optimization reasoning search feature
features representation representations embedding embeddings loss score metric result
results paper work experiment experiments baseline baselines fine-tuning finetuning
pre-training pretraining deep neural ai ml nlp sota state-of-the-art the a an of and
efficiency accuracy robustness safety quality scalability generalization interpretability
memory planning control alignment privacy fairness security
"""
GENERIC_WORDS = frozenset(_GENERIC.split())
_GENERIC_START = re.compile(r"^(our|the|a|an|this|these|its|their|proposed|existing|novel)\b", re.I)
_SIZE = re.compile(r"\d+(\.\d+)?[BMK]$")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]{0,5}s?$")


@dataclass(frozen=True)
class Filter:
    dominance: float = 0.75
    min_papers: int = 1
    min_coined: int = 2
    min_single: int = 2
    min_acronym: int = 2
    max_words: int = 6
    min_ratio: float = 0.0
    acronym_names: bool = False  # a bare acronym as a name also needs `min_acronym` papers

    def label(self) -> str:
        return (
            f"dom={self.dominance} papers={self.min_papers} coined={self.min_coined} "
            f"single={self.min_single} acr={self.min_acronym} words={self.max_words} "
            f"ratio={self.min_ratio} acr-names={self.acronym_names}"
        )


@dataclass
class _Concept:
    names: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    aliases: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    papers: set[str] = field(default_factory=set)


def read_papers(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def half_of(paper_id: str) -> str:
    """A fixed split of the papers into halves A and B by a hash of the id."""
    return "AB"[hashlib.sha256(paper_id.encode()).digest()[0] % 2]


def _key(form: str) -> str:
    return concept_key(singular(form))


def _collect(papers: Iterable[dict[str, Any]]) -> dict[str, _Concept]:
    concepts: dict[str, _Concept] = defaultdict(_Concept)
    for paper in papers:
        for ent in paper["entities"]:
            name = ent["name"].strip()
            c = concepts[_key(name)]
            if paper["id"] in c.papers:
                continue
            c.papers.add(paper["id"])
            c.names[name] += 1
            c.types[ent["type"]] += 1
            c.roles[ent["role"]] += 1
            for alias in ent.get("aliases") or ():
                if alias.strip():
                    c.aliases[alias.strip()].add(paper["id"])
    return concepts


def _pattern(forms: Iterable[str], case_sensitive: bool) -> re.Pattern[str]:
    """Whole-word occurrences of any form, spaces and hyphens interchangeable, plural allowed."""
    alts = [
        r"[\s\-]?".join(re.escape(part) for part in re.split(r"[\s\-]+", f) if part) for f in forms
    ]
    body = "|".join(sorted(alts, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{body})(?:s|es)?(?!\w)", 0 if case_sensitive else re.I)


class Texts:
    """The learning papers' texts, joined once in lower case so that the papers a form can occur
    in are found by substring search instead of a regex over every paper (quadratic in train)."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.ids = list(texts)
        self.texts = [texts[i] for i in self.ids]
        self.starts: list[int] = []
        parts, at = [], 0
        for text in self.texts:
            self.starts.append(at)
            parts.append(text.lower())
            at += len(parts[-1]) + 1
        self.joined = "\x00".join(parts)
        self.lowered = parts

    def containing(self, needle: str) -> set[int]:
        """Indices of the texts whose lower-case form contains `needle` (lower case)."""
        found: set[int] = set()
        at = self.joined.find(needle)
        while at >= 0:
            k = bisect_right(self.starts, at) - 1
            found.add(k)
            at = self.joined.find(needle, self.starts[k] + len(self.lowered[k]) + 1)
        return found


def _ratio(forms: Sequence[str], case_sensitive: bool, c: _Concept, texts: Texts) -> float:
    """Share of the papers whose text has a form that annotate this concept."""
    pattern = _pattern(forms, case_sensitive)
    maybe: set[int] = set()
    for form in forms:
        # every part of a form occurs in a text the pattern matches: the longest narrows the search
        part = max((p for p in re.split(r"[\s\-]+", form) if p), key=len, default="")
        maybe |= texts.containing(part.lower()) if part else set(range(len(texts.ids)))
    seen = {texts.ids[k] for k in maybe if pattern.search(texts.texts[k])}
    return len(seen & c.papers) / len(seen) if seen else 1.0


def _acronym(form: str) -> bool:
    """A short name with a capital first letter and no space ("ADE", "A2A", "ViTs")."""
    return bool(_ACRONYM.match(form)) and len(form) <= 6


def _generic(form: str) -> bool:
    key = concept_key(form)
    return (
        key in GENERIC_WORDS
        or bool(_GENERIC_START.match(form))
        or not re.search(r"[^\W\d_]", key)
        or len(form) < 2
    )


def _owned(entries: Sequence[gz.GazetteerEntry]) -> set[str]:
    return {k for e in entries for f in (e.name, *e.aliases) for k in (concept_key(f), _key(f))}


def propose(
    papers: Iterable[dict[str, Any]], base: Sequence[gz.GazetteerEntry], flt: Filter
) -> list[gz.GazetteerEntry]:
    """The entries the filter keeps, most-annotated first, no form shared with `base` or each other."""
    papers = list(papers)
    texts = Texts({p["id"]: f"{p.get('title') or ''}\n{p['abstract']}" for p in papers})
    owned = _owned(base)
    found: list[gz.GazetteerEntry] = []
    concepts = sorted(_collect(papers).items(), key=lambda kv: (-len(kv[1].papers), kv[0]))
    for _, c in concepts:
        n = len(c.papers)
        ctype, votes = c.types.most_common(1)[0]
        name = c.names.most_common(1)[0][0]
        single = " " not in name and "-" not in name and name == name.lower()
        if (
            votes / n < flt.dominance
            or n < flt.min_papers
            or (set(c.roles) == {"proposed"} and n < flt.min_coined)
            or (single and not any(ch.isdigit() for ch in name) and n < flt.min_single)
            or len(name.split()) > flt.max_words
            or (flt.acronym_names and _acronym(name) and n < flt.min_acronym)
            or _generic(name)
            or (ctype == "Model" and (_SIZE.search(name) or split_size(name)[1]))
        ):
            continue
        if {concept_key(name), _key(name)} & owned:
            continue
        forms = [name]
        keys = {concept_key(name)}
        aliases = sorted(c.aliases.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        for alias, alias_papers in aliases:
            k = concept_key(alias)
            if k in keys or {k, _key(alias)} & owned or _generic(alias):
                continue
            if _acronym(alias) and len(alias_papers) < flt.min_acronym:
                continue
            if ctype == "Model" and split_size(alias)[1]:
                continue
            forms.append(alias)
            keys.add(k)
        entry = gz.GazetteerEntry(
            name=name,
            type=ConceptType(ctype),
            aliases=tuple(forms[1:]),
            case_sensitive=any(ch.isupper() for ch in name),
            source="recent-train",
        )
        if flt.min_ratio and _ratio(forms, entry.case_sensitive, c, texts) < flt.min_ratio:
            continue
        found.append(entry)
        owned |= {k for f in forms for k in (concept_key(f), _key(f))}
    return found


def curated() -> list[gz.GazetteerEntry]:
    """The packaged gazetteer without the entries learned here (they must not leak into halves)."""
    return [e for e in gz.load_gazetteer(gz.GAZETTEER_PATH) if e.source != "recent-train"]


def score(
    entries: Sequence[gz.GazetteerEntry], gold_path: Path, ids: set[str]
) -> dict[str, tuple[float, float, float]]:
    """Paper-level P, R, F1 (typed and coarse) of the default pipeline with `entries` as gazetteer."""
    from extract import resolve
    from extract.pipeline import build_nlp, extract
    from kg.gold import read_gold
    from kg.scoring import score as score_docs

    gz._load_packaged = lambda: tuple(entries)  # type: ignore[assignment]
    resolve._known_forms.cache_clear()
    docs = [d for d in read_gold(gold_path) if d.doc_id in ids]
    preds = list(extract(build_nlp(), (d.to_paper() for d in docs)))
    paper = score_docs(docs, preds).paper
    return {
        t: (paper[t]["all"].precision, paper[t]["all"].recall, paper[t]["all"].f1)
        for t in ("typed", "coarse")
    }


def _fmt(s: dict[str, tuple[float, float, float]]) -> str:
    return "  ".join(f"{k} P {p:.3f} R {r:.3f} F1 {f:.3f}" for k, (p, r, f) in s.items())


FILTERS = [
    Filter(dominance=1.01),  # adds nothing: the baseline
    Filter(dominance=0.0, min_coined=1, min_single=1, min_acronym=1, max_words=99),
    Filter(),
    Filter(min_coined=1),
    Filter(min_single=1),
    Filter(min_acronym=1),
    Filter(dominance=0.6),
    Filter(min_papers=2),
    Filter(max_words=4),
    Filter(min_single=3),
    Filter(min_ratio=0.5),
    Filter(min_ratio=0.7),
    Filter(min_ratio=0.9),
    Filter(min_ratio=0.7, min_single=1),
    Filter(min_ratio=0.5, min_single=3),
    Filter(min_ratio=0.6, min_single=3),
    Filter(min_ratio=0.5, min_single=3, acronym_names=True),
]


# Chosen by `halves` (mean over both directions, 112/138 papers; typed and coarse paper-level F1):
# adding nothing 0.424/0.465; everything 0.447/0.485; Filter() 0.451/0.490 (P 0.629);
# min_ratio 0.5 and min_single 3: 0.449/0.488 (P 0.636), within noise of the best F1 and more
# precise; with acronym_names too 0.448/0.487 (one concept fewer): kept, because a bare acronym
# seen in one paper is that paper's own coinage and may mean something else elsewhere (the
# gazetteer's rule for ambiguous acronyms). `add` uses this filter.
CHOSEN = Filter(min_single=3, min_ratio=0.5, acronym_names=True)


def halves(path: Path, filters: Sequence[Filter]) -> None:
    """Print, for each filter, the mean over both directions of learn-on-one-half, score-on-other."""
    papers = read_papers(path)
    base = curated()
    split = {h: [p for p in papers if half_of(p["id"]) == h] for h in "AB"}
    print(f"halves: A {len(split['A'])} papers, B {len(split['B'])}", flush=True)
    for flt in filters:
        total: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        sizes = []
        for learn, test in (("A", "B"), ("B", "A")):
            added = propose(split[learn], base, flt)
            sizes.append(len(added))
            s = score([*base, *added], path, {p["id"] for p in split[test]})
            for k, v in s.items():
                total[k] = [a + b / 2 for a, b in zip(total[k], v, strict=True)]
        mean = {k: (v[0], v[1], v[2]) for k, v in total.items()}
        print(f"{flt.label():60s} added {sizes}  mean {_fmt(mean)}", flush=True)


def add(path: Path, flt: Filter) -> None:
    lines = gz.GAZETTEER_PATH.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if json.loads(line).get("source") != "recent-train"]
    base = curated()
    added = propose(read_papers(path), base, flt)
    for e in added:
        row: dict[str, Any] = {"name": e.name, "type": str(e.type), "aliases": list(e.aliases)}
        if e.case_sensitive:
            row["case_sensitive"] = True
        row["source"] = "recent-train"
        rows.append(row)
    rows.sort(key=lambda r: (r["name"].casefold(), r["name"]))
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    gz.GAZETTEER_PATH.write_text(text, encoding="utf-8")
    by_type = Counter(str(e.type) for e in added)
    print(f"added {len(added)} entries ({dict(by_type)}); gazetteer now {len(rows)}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["halves", "add", "show"])
    parser.add_argument("train", type=Path)
    parser.add_argument("--grid", type=int, nargs="*", help="halves: which FILTERS to run (index)")
    for f, default in vars(CHOSEN).items():
        kind = (lambda v: v == "true") if isinstance(default, bool) else type(default)
        parser.add_argument(f"--{f.replace('_', '-')}", type=kind, default=default)
    args = parser.parse_args(argv)
    flt = Filter(**{f: getattr(args, f) for f in vars(Filter())})
    if args.command == "halves":
        halves(args.train, [FILTERS[i] for i in args.grid] if args.grid else FILTERS)
    elif args.command == "add":
        add(args.train, flt)
    else:
        base = curated()
        for e in propose(read_papers(args.train), base, flt):
            print(json.dumps({"name": e.name, "type": str(e.type), "aliases": list(e.aliases)}))


if __name__ == "__main__":
    main()
