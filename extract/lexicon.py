"""Corpus statistics the decider reads: phrase frequencies and word clusters from ML abstracts.

The lexicon (extract/data/lexicon/lexicon.json.gz, made by extract/training/build_lexicon.py from
the 9,850 2025–2026 ML abstracts of ../shared/data/recent_abstracts that are not in the development
split; training reads each of its own papers with that paper left out of the counts) holds, for each
lower-cased phrase of 2–4 tokens seen in at least two papers, the number of papers it occurs in and
the number where it stands as a whole noun-phrase chunk; and for each frequent word its document
frequency and two cluster ids (64 and 512 clusters of words used alike).
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.errors import KGError

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon" / "lexicon.json.gz"


def phrase_key(text: str) -> str:
    """A phrase as the lexicon stores it: lower case, runs of white space as one space.

    Example:
        >>> phrase_key("Catastrophic\\n Forgetting")
        'catastrophic forgetting'
    """
    return " ".join(text.lower().split())


@dataclass(frozen=True, eq=False)  # hashed by identity: the decider caches on it
class Lexicon:
    papers: int
    words: dict[str, tuple[int, int, int]]  # word -> (papers, cluster of 64, cluster of 512)
    phrases: dict[str, tuple[int, int]]  # phrase -> (papers, papers where it is a whole chunk)

    def phrase(self, key: str) -> tuple[int, int]:
        """(papers holding the phrase, papers where it is a whole chunk); (0, 0) when unseen."""
        found = self.phrases.get(key)
        if found is not None:
            return found
        if " " not in key and "-" not in key and (word := self.words.get(key)) is not None:
            return word[0], 0
        return 0, 0

    def word(self, word: str) -> tuple[int, int, int] | None:
        return self.words.get(word)


def bucket(n: int) -> int:
    """Counts on a log scale, 0 and 1 together (a paper's own text may or may not be counted).

    Example:
        >>> [bucket(n) for n in (0, 1, 2, 3, 4, 8, 1000)]
        [0, 0, 1, 1, 2, 3, 6]
    """
    return 0 if n < 2 else min(6, int(math.log2(n)))


@cache
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon at `path` (default: the packaged one); KGError naming the file if unreadable."""
    import orjson  # parses the ~2 MB of JSON in half the time of json (0.04 s)

    try:
        with gzip.open(path, "rb") as fh:
            raw = orjson.loads(fh.read())
        return Lexicon(
            papers=int(raw["papers"]),
            words={w: (v[0], v[1], v[2]) for w, v in raw["words"].items()},
            phrases={p: (v[0], v[1]) for p, v in raw["phrases"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError) as err:
        raise KGError(
            f"{path}: cannot read the decider's lexicon ({err}); "
            "reinstall kg or rebuild it (extract/training/README.md)"
        ) from err
