"""Paper-level clean-up of the chosen mentions: the specific concept over the broad class.

ANNOTATION.md: "When the text uses a broad class as another name for a specific concept
("large language models (LMs)"), list the specific concept only." A broad class is a gazetteer
entry marked `generic` ("language model", "large language model", "vision-language model"); when
the same paper names a more specific concept whose name ends with it ("large language model",
"multimodal large language model"), the broad class's mentions become mentions of that concept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from extract.candidate import Candidate

BROAD_CLASS_RULE = True  # extract/training/train_decider.py measures the pipeline without it


def clean(text: str, title_len: int, chosen: Sequence[Candidate]) -> list[Candidate]:
    """The mentions of one paper after the paper-level rules.

    Example:
        >>> from kg.model import ConceptType as T
        >>> llm = Candidate(0, 3, "large language model", T.MODEL, "gazetteer", generic=True)
        >>> lm = Candidate(9, 11, "language model", T.MODEL, "gazetteer", generic=True)
        >>> [c.name for c in clean("LLMs and LMs", 0, [llm, lm])]
        ['large language model', 'large language model']
    """
    if not BROAD_CLASS_RULE:
        return list(chosen)
    return _specific_over_broad(chosen)


def _specific_over_broad(chosen: Sequence[Candidate]) -> list[Candidate]:
    names = {c.name.lower(): c for c in chosen}
    out = []
    for cand in chosen:
        if cand.generic:
            own = cand.name.lower()
            specific = [
                c for name, c in names.items() if name.endswith(" " + own) and c.type is cand.type
            ]
            if specific:
                # the shortest more specific name: "large language model" before "multimodal ..."
                target = min(specific, key=lambda c: (len(c.name), c.name))
                cand = replace(
                    cand,
                    name=target.name,
                    aliases=target.aliases,
                    generic=target.generic,
                    source=target.source if cand.source == "repeat" else cand.source,
                )
        out.append(cand)
    return out
