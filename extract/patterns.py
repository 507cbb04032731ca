"""Patterns for names the gazetteer does not know, as regular expressions over the text.

Each finder takes the text (title, blank line, abstract) and yields Candidates with offsets into it.
Their work is linear in the text: `find_all` first masks every run of name characters longer than
MAX_TOKEN_CHARS (no name is that long; a 100,000-character token made the patterns quadratic), and
no pattern repeats a group without bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

from spacy.lang.en.stop_words import STOP_WORDS as _ENGLISH_STOP

from extract.abbreviations import find_definitions
from extract.candidate import Candidate
from extract.normalize import (
    STOP_ACRONYMS,
    canonical_name,
    infer_type,
    is_not_concept,
    type_from_head,
)
from kg.model import ConceptType, Role

MAX_TOKEN_CHARS = 64  # the longest run of name characters kept; longer runs are URLs or noise
MAX_LISTED = 10  # names after the first in one "A, B and C datasets" list (4 seen in 756 papers)
MAX_PER_PATTERN = 300  # candidates one finder yields per paper (at most 28 in all seen in 756)
_LONG_RUN = re.compile(rf"(?<![\w.^+\-])[\w.^+\-]{{{MAX_TOKEN_CHARS + 1},}}")
_FILLER = "\x00"  # matches no pattern, and keeps every offset
# A name-shaped word: CamelCase, an acronym, or letters with digits; hyphenated parts allowed.
_PART = (
    r"(?:[A-Z][a-z]*[A-Z0-9][\w.^+]*|[a-z]{1,3}(?:[A-Z]{2}|[A-Z]+\d)[\w.^+]*|[A-Z]{2}[\w.^+]*"
    r"|[A-Za-z]+\d[\w.^+]*)"
)
NAME = rf"(?<![\w\-]){_PART}(?:-[\w.^+]+)*(?<![.])(?![\w\-])"
# Name shape or a capitalised word (used only where context makes it a name).
CAP_NAME = rf"(?:{NAME}|(?<![\w\-])[A-Z][a-z]{{2,}}(?:-[A-Za-z0-9]+)*(?![\w\-]))"
_SIZE = r"(?:\d+x)?\d+(?:\.\d+)?[BMK]"
_VERSION_WORD = (
    r"(?:Pro|Ultra|Flash|Sonnet|Opus|Haiku|Turbo|Mini|mini|Nano|Large|Base|Small|Medium|XL|XXL|"
    r"Instruct|Chat|Coder|Vision|VL|Math|Omni)"
)
VERSIONED = re.compile(
    rf"(?<![\w\-])(?P<name>[A-Z][A-Za-z]*[A-Za-z](?:-[A-Z][A-Za-z]+)?) (?P<version>\d+(?:\.\d+)?)"
    rf"(?:\s(?P<variant>{_VERSION_WORD}))?(?:\s\(?(?P<size>{_SIZE})\)?)?(?![\w\-])"
)
DIGIT_NAME = re.compile(
    rf"(?<![\w\-])(?P<name>(?=[A-Z][\w.^+\-]*\d)[A-Z][\w.^+]*(?:-[\w.^+]+)*)"
    rf"(?:\s\(?(?P<size>{_SIZE})\)?)?(?<![.])(?![\w\-])"
)
NOT_VERSIONED = frozenset(
    [
        "Table",
        "Figure",
        "Fig",
        "Section",
        "Sec",
        "Part",
        "Stage",
        "Step",
        "Phase",
        "Level",
        "Type",
        "Version",
        "Chapter",
        "Appendix",
        "Eq",
        "Equation",
        "Algorithm",
        "Task",
        "Round",
        "Day",
        "Days",
        "Year",
        "Years",
        "Layer",
        "Top",
        "Group",
        "Class",
        "Week",
        "Month",
        "Hour",
        "Hours",
        "Experiment",
        "Exp",
        "Lemma",
        "Theorem",
        "Example",
        "Case",
        "Rule",
        "Setting",
        "Scenario",
        "Track",
        "Subtask",
        "Grade",
        "Tier",
        "Session",
        "Epoch",
        "Epochs",
        "Batch",
        "Block",
        "Line",
        "Item",
        "Question",
        "Problem",
        "Turn",
        "Split",
        "Phase",
        "Volume",
        "No",
        "Number",
        "Over",
        "Under",
        "About",
        "Around",
        "Only",
        "Up",
        "Nearly",
        "Approximately",
        "Just",
        "Less",
        "More",
        "Than",
        "By",
        "From",
        "To",
        "And",
        "With",
        "In",
        "On",
        "At",
        "Of",
        "For",
        "The",
        "Our",
        "Its",
        "Their",
        "Each",
        "Every",
        "All",
        "Both",
        "Among",
        "Between",
        "Since",
        "After",
        "Before",
        "Until",
        "Achieving",
        "Reaching",
        "Scoring",
        "Using",
        "Yet",
        "Still",
        "Even",
        "Only",
        "COVID",
        "Covid",
        "Windows",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "Spring",
        "Summer",
        "Fall",
        "Autumn",
        "Winter",
        "Python",
        "Java",
    ]
)
_PROPOSE = re.compile(
    rf"\b(?:we|We|this (?:paper|work)|This (?:paper|work)|[Hh]ere,? we)\s+(?:first\s+|also\s+|further\s+)?"
    rf"(?:propose|introduce|present|develop|design|release|build|construct|curate|create|"
    rf"contribute|establish|offer|open-source|unveil|describe)s?\s+"
    rf"(?:(?:a|an|the)\s+)?(?:(?:new|novel|simple|first|large-scale|general|unified|comprehensive|"
    rf"efficient|effective|challenging)\s+)*(?P<name>{NAME}|{CAP_NAME}(?=\s*[,:(]))"
)
_PROPOSING = re.compile(
    rf"\b(?:by|through|after)\s+(?:proposing|introducing|presenting|developing|designing|building)\s+"
    rf"(?:(?:a|an|the)\s+)?(?:(?:new|novel|simple)\s+)*(?P<name>{NAME}|{CAP_NAME}(?=\s*[,:(]))"
    rf"|\b(?:refer to|call)\b[^.]{{0,60}}?\bas\s+(?P<referred>{NAME})"
)
_NAMED = re.compile(
    rf"\b(?:called|named|dubbed|termed|coined|namely|as)\s+(?P<name>{NAME})(?=\s*[,.;:)(]|\s+(?:which|that|to|for|and|is|as|achieves|outperforms))"
)
_APPOSITIVE = re.compile(
    rf"(?P<name>{NAME}),\s+(?:a|an|the|our)\s+(?P<mid>(?:[\w\-]+\s+){{0,6}}?)(?P<head>[a-zA-Z\-]+)\b"
)
_HEADED = re.compile(
    rf"(?P<names>{CAP_NAME}(?: {CAP_NAME}){{0,2}}(?:(?:, | and |, and | or ){CAP_NAME}(?: {CAP_NAME}){{0,2}}){{0,{MAX_LISTED}}})"
    r" (?P<head>datasets?|benchmarks?|corpus|corpora|suite|leaderboard|challenge|models?|LLMs?|"
    r"framework|method|algorithm|architecture|metric|score|task)\b"
)
_TITLE_PREFIX = re.compile(
    rf"^(?P<name>{CAP_NAME}|[a-z][\w\-.]*\d[\w\-.]*)(?:\s\(\w+\))?:\s+(?P<rest>[^\n]+)"
)
_CAMEL = re.compile(
    r"(?<![\w\-])(?:[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+|[A-Z]{2,}[a-z]+[A-Za-z0-9]*"
    r"|[a-z]{1,3}(?:[A-Z]{2,}|[A-Z]+\d)[A-Za-z0-9]*)(?![\w\-])"
)
_ACRONYM = re.compile(r"(?<![\w\-])[A-Z][A-Z0-9\-]*[A-Z0-9](?:s)?(?![\w\-])")
# Pages that drop LaTeX backslashes glue command names into words ("EnglishrightarrowEnglish").
_LATEX_WORD = re.compile(r"(?:rightarrow|leftarrow|infty|times|mathbb|mathcal|textbf|emph)", re.I)
_HARDWARE = re.compile(r"^(?:RTX|GTX|A100|H100|H200|V100|TPU|BF16|FP\d+|INT\d+|FA\d)\b")
_PLACEHOLDERS = frozenset(
    [
        "NVidia",
        "Nvidia",
        "NVIDIA",
        "OpenAI",
        "GitHub",
        "PyTorch",
        "TensorFlow",
        "HuggingFace",
        "YouTube",
        "DeepMind",
        "DeepSeek-AI",
        "iPhone",
        "MacBook",
        "LaTeX",
        "JavaScript",
        "TypeScript",
        "WeChat",
        "LinkedIn",
        "PhD",
        "MSc",
        "BibTeX",
        "ArXiv",
        "arXiv",
        "McDonald",
        "JetBrains",
        "GitLab",
        "StackOverflow",
        "StackExchange",
        "WikiHow",
        "iOS",
        "macOS",
    ]
)


def _name_ok(text: str) -> bool:
    return not is_not_concept(text) and text not in _PLACEHOLDERS


def _candidate(
    start: int,
    end: int,
    surface: str,
    ctype: ConceptType,
    source: str,
    *,
    role: Role = Role.MENTIONED,
    size: str | None = None,
    certain: bool = False,
) -> Candidate | None:
    name, own_size = canonical_name(surface)
    if not name or not _name_ok(name):
        return None
    return Candidate(
        start, end, name, ctype, source, role=role, size=size or own_size, type_certain=certain
    )


def _head_after(text: str, pos: int, n_words: int = 10) -> str | None:
    """First head noun in the few words after `pos` (for "X, a new family of models")."""
    for word in re.findall(r"[A-Za-z][\w\-]*", text[pos : pos + 120])[:n_words]:
        if word.lower() in {"of", "for", "that", "which", "to"}:
            continue
        last: str = word.split("-")[-1]
        if type_from_head(last) is not None and last.lower() not in {"set", "test", "data"}:
            return last
    return None


def find_abbreviations(text: str) -> Iterator[Candidate]:
    """Long forms with their short forms: one candidate for each, same name, alias the short."""
    for d in find_definitions(text):
        name, size = canonical_name(d.long)
        if not _name_ok(name) or d.short in STOP_ACRONYMS:
            continue
        ctype = infer_type(name)
        short = d.short
        yield Candidate(
            d.long_start, d.long_end, name, ctype, "abbreviation", size=size, aliases=(short,)
        )
        yield Candidate(
            d.short_start, d.short_end, name, ctype, "abbreviation", size=size, aliases=(short,)
        )


def find_versioned(text: str) -> Iterator[Candidate]:
    """Model names with versions or sizes: "GPT-4o", "Llama 3 (8B)", "Qwen2.5-7B", "Claude 3.5 Sonnet"."""
    for m in VERSIONED.finditer(text):
        if m.group("name") in NOT_VERSIONED or _HARDWARE.match(m.group("name")):
            continue
        if re.search(r"\.\d\d", m.group("version")):  # "Seen 64.08": a score, not a version
            continue
        surface = f"{m.group('name')} {m.group('version')}"
        if m.group("variant"):
            surface += f" {m.group('variant')}"
        cand = _candidate(
            m.start(), m.end(), surface, infer_type(surface), "versioned", size=m.group("size")
        )
        if cand:
            yield cand
    for m in DIGIT_NAME.finditer(text):
        name = m.group("name")
        if name.split("-")[0] in NOT_VERSIONED or _HARDWARE.match(name):
            continue
        if sum(c.isalpha() for c in name) < 2 or "+" in name.rstrip("+"):  # "C3", "K+10"
            continue
        cand = _candidate(
            m.start(), m.end(), name, infer_type(name), "versioned", size=m.group("size")
        )
        if cand:
            yield cand


def _proposed_name(text: str, m: re.Match[str], group: str) -> Candidate | None:
    """The name in `group` of a "we propose X" match, typed by the head noun after it."""
    head = _head_after(text, m.end(group))
    return _candidate(
        m.start(group),
        m.end(group),
        m.group(group),
        infer_type(m.group(group), head=head),
        "proposed",
        role=Role.PROPOSED,
        certain=head is not None,
    )


def find_proposed(text: str) -> Iterator[Candidate]:
    """Names introduced by "we propose X", "called X", "X, a novel framework"."""
    for m in _PROPOSE.finditer(text):
        if cand := _proposed_name(text, m, "name"):
            yield cand
    for m in _PROPOSING.finditer(text):
        if cand := _proposed_name(text, m, "name" if m.group("name") else "referred"):
            yield cand
    for m in _NAMED.finditer(text):
        before = text[max(0, m.start() - 80) : m.start()]
        head = _last_head(before)
        is_ours = re.search(r"\b(?:we|our|this paper|this work)\b", before, re.I) is not None
        cand = _candidate(
            m.start("name"),
            m.end("name"),
            m.group("name"),
            infer_type(m.group("name"), head=head),
            "proposed",
            role=Role.PROPOSED if is_ours else Role.MENTIONED,
            certain=head is not None,
        )
        if cand:
            yield cand
    for m in _APPOSITIVE.finditer(text):
        head = m.group("head")
        ctype = type_from_head(head)
        if ctype is None:
            continue
        novel = re.search(r"\b(?:new|novel|our|first)\b", m.group(0)) is not None
        cand = _candidate(
            m.start("name"),
            m.end("name"),
            m.group("name"),
            ctype,
            "proposed",
            role=Role.PROPOSED if novel else Role.MENTIONED,
            certain=True,
        )
        if cand:
            yield cand


def _last_head(before: str) -> str | None:
    for word in reversed(re.findall(r"[A-Za-z][\w\-]*", before)[-6:]):
        head: str = word.split("-")[-1]
        if type_from_head(head) is not None:
            return head
    return None


def find_headed(text: str, title_len: int) -> Iterator[Candidate]:
    """Names followed by a type word: "the SQuAD dataset", "VoxCeleb and VoxPopuli datasets"."""
    for m in _HEADED.finditer(text):
        ctype = type_from_head(m.group("head"))
        if ctype is None:
            continue
        base = m.start("names")
        name_only = ctype not in (ConceptType.DATASET, ConceptType.BENCHMARK)
        for part in re.finditer(rf"{CAP_NAME}(?: {CAP_NAME}){{0,2}}", m.group("names")):
            surface = part.group()
            weak = (
                name_only
                or base + part.start() < title_len
                or surface.split()[0] in NOT_VERSIONED
                or _is_sentence_start(text, base + part.start())
            )
            if weak and not re.search(NAME, surface):
                continue
            if _is_common_word(surface, text):
                continue
            cand = _candidate(
                base + part.start(), base + part.end(), surface, ctype, "head", certain=True
            )
            if cand:
                yield cand


def _is_common_word(surface: str, text: str) -> bool:
    """A lone capitalised word that the text also writes in lower case ("Speech", "Custom")."""
    if " " in surface or re.search(NAME, surface):
        return False
    return surface.lower() in _words(text) or surface.lower() in _ENGLISH_STOP


@lru_cache(maxsize=4)
def _words(text: str) -> frozenset[str]:
    """The runs of word characters and hyphens in `text`, once per text (not a scan per name)."""
    return frozenset(re.findall(r"[\w\-]+", text))


def _is_sentence_start(text: str, pos: int) -> bool:
    while pos > 0 and text[pos - 1].isspace():  # no copy of text[:pos] per name
        pos -= 1
    return pos == 0 or text[pos - 1] in ".!?:"


def mask_long_tokens(text: str) -> str:
    """`text` with every run of name characters longer than MAX_TOKEN_CHARS blanked out.

    Example:
        >>> masked = mask_long_tokens("we use " + "A+" * 40 + " and BERT")
        >>> len(masked), masked.count(_FILLER), masked.endswith(" and BERT")
        (96, 80, True)
    """
    return _LONG_RUN.sub(lambda m: _FILLER * len(m.group()), text)


def find_title_name(title: str) -> Iterator[Candidate]:
    """The name before the colon of a title, "CodeT5: Identifier-aware ... Models" (proposed)."""
    m = _TITLE_PREFIX.match(title)
    if not m:
        return
    head = _head_after(m.group("rest"), 0, n_words=8)
    name = m.group("name")
    ctype = infer_type(name, head=head)
    cand = _candidate(
        m.start("name"),
        m.end("name"),
        name,
        ctype,
        "title",
        role=Role.PROPOSED,
        certain=head is not None,
    )
    if cand:
        yield cand


def find_camelcase(text: str) -> Iterator[Candidate]:
    """CamelCase names ("TinyLlama", "LayoutLM"): the weakest evidence kg keeps.

    Bare upper-case acronyms without a definition, a type word or a "we propose" are not kept:
    on the sample corpus two in three were organisations, hardware or emphasis (CERN, JAX, MASK).
    """
    for m in _CAMEL.finditer(text):
        if _LATEX_WORD.search(m.group()):
            continue
        cand = _candidate(m.start(), m.end(), m.group(), infer_type(m.group()), "camelcase")
        if cand:
            yield cand


def find_all(text: str, title_len: int) -> list[Candidate]:
    """Every pattern candidate in a text whose first `title_len` characters are the title."""
    text = mask_long_tokens(text)
    finders = (
        find_abbreviations(text),
        find_title_name(text[:title_len]),
        find_proposed(text),
        find_headed(text, title_len),
        find_versioned(text),
        find_camelcase(text),
    )
    # A finder stops after MAX_PER_PATTERN candidates, so a paper of endless names costs no more.
    return [cand for found in finders for cand in islice(found, MAX_PER_PATTERN)]
