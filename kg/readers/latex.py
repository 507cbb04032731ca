"""LaTeX in titles and abstracts -> Unicode text, by pylatexenc's latex2text.

BibTeX and arXiv write LaTeX on purpose (``\\textendash``, ``$\\Lambda_\\alpha$``,
``CeAg$_2$Ge$_2$``, ``{{BERT}}``); other formats carry it where an abstract was pasted from a
paper. pylatexenc knows hundreds of macros, accents and math symbols, so extraction sees
words ("Monte–Carlo", "μRTS", "Λ_α") instead of markup. What a title or an abstract is not
(a LaTeX document) is kept as text: a bare ``%`` is a percent sign, not a comment, a bare
``&`` is an ampersand, and a ``$`` that opens no formula ("costs $5 and $10") is a dollar.
Unknown macros of one letter keep their name (``\\Q`` -> "Q", a blackboard-bold shorthand);
longer unknown ones are dropped and their arguments kept (``\\ce{H2O}`` -> "H2O").
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from kg.text import clean_text

log = logging.getLogger(__name__)

# $…$: no space just inside either dollar; a closing one followed by a digit only ends math
# that holds a command ("$\sim$100"), so prices such as "$5 and $10" stay dollars.
_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])([^$]{1,400}?)(?<=[^\s\\])\$(?!\$)")
_DISPLAY_MATH = re.compile(r"(?<!\\)\$\$[^$]{1,400}?\$\$")
_COMMAND = re.compile(r"\\(?:[A-Za-z]+|['\"`^~=.,;!%&#_${}])")
_BARE = re.compile(r"(?<!\\)([%&#])")
# Text without these renders to itself (a lone ' or - is no LaTeX), so pylatexenc is skipped.
_LATEX_HINT = re.compile(r"[\\$~{}]|--|``|''")
_MAX_SHORT_MACRO = 1  # \Q, \R, \N: blackboard-bold shorthands
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def has_latex(text: str) -> bool:
    """Tell whether `text` holds LaTeX: a command, or a formula between dollars.

    Example:
        >>> has_latex(r"a $\\beta$-VAE"), has_latex("CeAg$_2$Ge$_2$"), has_latex(r"caf\\'e")
        (True, True, True)
        >>> has_latex("costs $5 and $10"), has_latex("a {braced} word, 95% and R&D")
        (False, False)
    """
    if "\\" in text and _COMMAND.search(text):
        return True
    return "$" in text and bool(_MATH.search(text) or _DISPLAY_MATH.search(text))


def _protect(text: str) -> str:
    """Escape what LaTeX would misread in prose: %, &, # and dollars that open no formula."""
    text = _BARE.sub(r"\\\1", text)
    spans = [m.span() for m in _DISPLAY_MATH.finditer(text)]
    spans += [
        m.span() for m in _MATH.finditer(text) if not any(a <= m.start() < b for a, b in spans)
    ]
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(_escape_dollars(text[last:start]))
        out.append(text[start:end])
        last = end
    out.append(_escape_dollars(text[last:]))
    return "".join(out)


def _escape_dollars(text: str) -> str:
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def _unknown_macro(node: Any, l2tobj: Any = None) -> str:
    name = str(node.macroname)
    space = str(getattr(node, "macro_post_space", "") or "")
    return (name if len(name) <= _MAX_SHORT_MACRO else "") + space


def _word(text: str) -> Any:
    def render(node: Any, l2tobj: Any = None) -> str:
        return text + str(getattr(node, "macro_post_space", "") or "")

    return render


@lru_cache(maxsize=1)
def _converter() -> tuple[Any, Any]:
    """Build pylatexenc's parser context and text converter once (imported here: it is slow)."""
    from pylatexenc import latex2text, latexwalker, macrospec

    text_db = latex2text.get_default_latex_context_db()
    spec = latex2text.MacroTextSpec
    text_db.add_context_category(
        "kg",
        prepend=True,
        macros=[
            spec("href", simplify_repl="%(2)s"),
            spec("url", simplify_repl="%(1)s"),
            spec("cite", simplify_repl=""),
            spec("citep", simplify_repl=""),
            spec("citet", simplify_repl=""),
            spec("footnote", simplify_repl=""),
            spec("textmu", simplify_repl="\u03bc"),  # Greek mu, not the micro sign
            spec("mu", simplify_repl="\u03bc"),
            spec("ne", simplify_repl="\u2260"),
            *(  # papers' own shorthands, keeping the space written after them
                spec(name, simplify_repl=_word(text))
                for name, text in (
                    ("eg", "e.g."),
                    ("ie", "i.e."),
                    ("etal", "et al."),
                    ("wrt", "w.r.t."),
                    ("vs", "vs."),
                    ("etc", "etc."),
                )
            ),
            spec("LaTeX", simplify_repl="LaTeX"),
            spec("TeX", simplify_repl="TeX"),
            spec("gets", simplify_repl="\u2190"),
            spec("Re", simplify_repl="\u211c"),
            spec("Im", simplify_repl="\u2111"),
            spec("textsuperscript", simplify_repl="^%(1)s"),
            spec("textsubscript", simplify_repl="_%(1)s"),
        ],
    )
    text_db.set_unknown_macro_spec(spec("", simplify_repl=_unknown_macro))
    walker_db = latexwalker.get_default_latex_context_db()
    walker_db.add_context_category(
        "kg",
        prepend=True,
        macros=[
            macrospec.MacroSpec(name, args)
            for name, args in (
                ("href", "{{"),
                ("url", "{"),
                ("citep", "[[{"),
                ("citet", "[[{"),
                ("textsuperscript", "{"),
                ("textsubscript", "{"),
            )
        ],
    )
    converter = latex2text.LatexNodes2Text(
        latex_context=text_db, math_mode="text", strict_latex_spaces=False
    )
    return walker_db, converter


def latex_to_text(text: str) -> str:
    """Return `text` with its LaTeX rendered as Unicode (whitespace is left to clean_text).

    Example:
        >>> latex_to_text(r"Monte\\textendash{}Carlo, 3\\texttimes{} faster, \\textmu{}RTS")
        'Monte–Carlo, 3× faster, μRTS'
        >>> latex_to_text(r"$\\Lambda_\\alpha$ in $\\Q(\\sqrt{5})$ and CeAg$_2$Ge$_2$ for {Ki(z)}")
        'Λ_α in Q(√(5)) and CeAg_2Ge_2 for Ki(z)'
        >>> latex_to_text(r"{{BERT}}: 95% of $1\\,+\\,\\varepsilon$, R&D, costs $5 and $10")
        'BERT: 95% of 1 + ε, R&D, costs $5 and $10'
    """
    if not _LATEX_HINT.search(text):
        return text
    # pylatexenc reads a character at a time (~0.1 ms a character): only the words with LaTeX,
    # grouped so that a formula or a braced group stays whole, go through it
    return " ".join(
        " ".join(
            _render(group) if _LATEX_HINT.search(group) else group for group in latex_groups(chunk)
        )
        for chunk in split_chunks(text)
    )


def split_chunks(text: str) -> list[str]:
    """Split `text` into sentences, keeping a formula or a braced group inside one chunk.

    Example:
        >>> split_chunks("One. A $x. y$ b. {C. d} e. Two.")
        ['One.', 'A $x. y$ b.', '{C. d} e.', 'Two.']
    """
    chunks: list[str] = []
    pending: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        pending.append(sentence)
        joined = " ".join(pending)
        if joined.count("$") % 2 == 0 and joined.count("{") <= joined.count("}"):
            chunks.append(joined)
            pending = []
    if pending:
        chunks.append(" ".join(pending))
    return chunks


def latex_groups(sentence: str) -> list[str]:
    """Split `sentence` at white space into runs of plain words and groups of words with LaTeX;
    a group runs on until its formulas and braces close, or while a command may take the next
    word's braced or bracketed argument.

    Example:
        >>> latex_groups(r"We use \\emph{deep nets} and $x + y$ on {B} \\cite [1]{a} data.")
        ['We use', '\\\\emph{deep nets}', 'and', '$x + y$', 'on', '{B}', '\\\\cite [1]{a}', 'data.']
    """
    groups: list[str] = []
    plain: list[str] = []
    group: list[str] = []
    for word in sentence.split():
        if group:
            if _open(" ".join(group)) or (_TAKES_ARGUMENT.search(group[-1]) and word[0] in "{["):
                group.append(word)
                continue
            groups.append(" ".join(group))
            group = []
        if _LATEX_HINT.search(word):
            if plain:
                groups.append(" ".join(plain))
                plain = []
            group = [word]
        else:
            plain.append(word)
    groups.extend(" ".join(words) for words in (group, plain) if words)
    return groups


_TAKES_ARGUMENT = re.compile(r"\\[A-Za-z]+\*?$|[}\]]$")
_DOLLAR = re.compile(r"(?<!\\)\$")
_DOUBLE_DOLLAR = re.compile(r"(?<!\\)\$\$")


def _open(text: str) -> bool:
    """A formula or a braced group is still open at the end of `text`."""
    dollars = len(_DOLLAR.findall(text))
    return (
        dollars % 2 == 1
        or len(_DOUBLE_DOLLAR.findall(text)) % 2 == 1
        or text.count("{") - text.count("\\{") > text.count("}") - text.count("\\}")
    )


def _render(text: str) -> str:
    from pylatexenc import latexwalker

    walker_db, converter = _converter()
    try:
        walker = latexwalker.LatexWalker(
            _protect(text), latex_context=walker_db, tolerant_parsing=True
        )
        return str(converter.nodelist_to_text(walker.get_latex_nodes()[0]))
    except Exception as err:  # a parser bug must not lose the record
        log.debug("pylatexenc failed on %r (%s); falling back to simple cleaning", text[:80], err)
        return clean_text(text, braces=True)


def clean_latex(text: str, *, always: bool = False) -> str:
    """Return `text` as one clean line, rendering LaTeX if the format writes it or it is there.

    Args:
        always: the format writes LaTeX (BibTeX, arXiv), so braces and ``~`` are markup too.

    Example:
        >>> clean_latex(r"Deep {{Nets}} with $\\alpha$-entmax", always=True)
        'Deep Nets with α-entmax'
        >>> clean_latex("A {braced} word and 95% of R&D"), clean_latex(r"An $\\alpha$ {x}")
        ('A {braced} word and 95% of R&D', 'An α x')
    """
    if always or has_latex(text):
        return clean_text(latex_to_text(text), latex=False)
    return clean_text(text)  # dashes, quotes and dollars as kg.text cleans them
