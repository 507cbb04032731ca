"""Clean titles and abstracts as read: Unicode form, invisible characters, whitespace, simple LaTeX."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls, lone surrogates, zero-width characters, the byte order mark and bidi
# controls; controls that separate words (tab, newlines, vertical tab) become spaces later.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]"
)

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ",
    "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω", "times": "×", "cdot": "·", "pm": "±", "mp": "∓",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "sim": "~", "simeq": "≃", "propto": "∝", "infty": "∞",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒",
    "leftrightarrow": "↔", "uparrow": "↑", "downarrow": "↓", "ll": "≪", "gg": "≫",
    "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "forall": "∀", "exists": "∃", "partial": "∂", "nabla": "∇", "circ": "∘",
    "deg": "°", "degree": "°", "ell": "ℓ", "dagger": "†", "star": "⋆", "ast": "∗",
    "%": "%", "&": "&", "#": "#", "_": "_", ",": " ", ";": " ", "!": "",
}  # fmt: skip

_ACCENTS = {
    "'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306",
    "H": "\u030b", "r": "\u030a", "k": "\u0328", "d": "\u0323",
}  # fmt: skip
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}  # fmt: skip

_ESCAPED = re.compile(r"\\([%&#_])")
_STYLE = re.compile(
    r"\\(?:emph|textbf|textit|texttt|textsc|textrm|textsf|textup|textnormal|text|"
    r"mathrm|mathbf|mathit|mathsf|mathtt|underline)\s*\{((?:[^{}]|\{[^{}]*\})*)\}"
)
# \"{U}, \"U, \'e, \c{c}, \v s ... ; the letter may be a dotless \i. The braces of {\"U}
# are dropped afterwards with those around any other single accented letter.
_ACCENT = re.compile(
    r"\\(['\"`^~=.])\s*(?:\{\s*(\\i|[A-Za-z])\s*\}|(\\i|[A-Za-z]))"
    r"|\\([cvuHrkd])(?:\s*\{\s*(\\i|[A-Za-z])\s*\}|\s+([A-Za-z]))"
)
_BRACED_LETTER = re.compile(r"\{([^\x00-\x7f])\}")
_LETTER = re.compile(
    r"\{\\(ss|o|O|ae|AE|oe|OE|aa|AA|l|L|i|j)\}|\\(ss|ae|AE|oe|OE|aa|AA)(?![A-Za-z])(?:\{\}|\s)?"
)
_BRACED_SYMBOL = re.compile(r"\{\\([A-Za-z]+)\}")
# $...$: no space just inside either dollar, and a closing one followed by a digit only ends
# math that holds a command ("$\sim$100"), so prices such as "$5 and $10" are left alone.
_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])([^$]{1,200}?)(?<=[^\s\\])\$(?!\$)")
_MATH_SPAN = re.compile(r"(\$[^$]*\$)")
_COMMAND = re.compile(r"\\([A-Za-z]+|[%&#_,;!])")
_PLAIN_MATH = re.compile(r"[^\\^_{}]*")
_BRACES = re.compile(r"(?<!\\)[{}]")
_TIE = re.compile(r"(?<!\\)~")
_LATEX_HINT = re.compile(r"[\\$~{}`'-]")  # text without these has no LaTeX to render


def _accent(match: re.Match[str]) -> str:
    mark = _ACCENTS[match.group(1) or match.group(4)]
    letter = match.group(2) or match.group(3) or match.group(5) or match.group(6)
    letter = "i" if letter == "\\i" else letter
    return unicodedata.normalize("NFC", letter + mark)


def _letter(match: re.Match[str]) -> str:
    return _LETTERS[match.group(1) or match.group(2)]


def _math(match: re.Match[str]) -> str:
    body = match.group(1)
    if "\\" not in body and match.string[match.end() : match.end() + 1].isdigit():
        return match.group(0)
    body = _COMMAND.sub(lambda m: SYMBOLS.get(m.group(1), m.group(0)), body)
    return body if _PLAIN_MATH.fullmatch(body) else match.group(0)


def _symbol(match: re.Match[str]) -> str:
    return SYMBOLS.get(match.group(1), match.group(0))


def _drop_braces(text: str) -> str:
    parts = _MATH_SPAN.split(text)  # odd parts are math, where braces carry meaning
    return "".join(p if i % 2 else _BRACES.sub("", p) for i, p in enumerate(parts))


def _latex(text: str, *, braces: bool) -> str:
    if not (braces or "\\" in text or "$" in text or "{" in text):
        return _dashes_and_quotes(text)  # most abstracts: no regular expression to run
    text = text.replace("\\$", "\x00")  # an escaped dollar is never a math delimiter
    if braces:  # BibTeX breaks lines with \\ and ties words with ~
        text = _TIE.sub(" ", text.replace("\\\\", " "))
    while True:
        styled = _STYLE.sub(r"\1", text)
        if styled == text:
            break
        text = styled
    text = _ACCENT.sub(_accent, text)
    text = _LETTER.sub(_letter, text)
    text = _BRACED_LETTER.sub(r"\1", text)
    text = _BRACED_SYMBOL.sub(_symbol, text)
    text = _MATH.sub(_math, text)
    text = _dashes_and_quotes(_ESCAPED.sub(r"\1", text))
    if braces:  # BibTeX protects case with braces
        text = _drop_braces(text)
    return text.replace("\x00", "$")


def _dashes_and_quotes(text: str) -> str:
    text = text.replace("---", "\u2014").replace("--", "\u2013")
    return text.replace("``", "\u201c").replace("''", "\u201d")


def strip_invisible(text: str) -> str:
    """Remove control characters, lone surrogates, zero-width and bidi marks.

    Example:
        >>> strip_invisible("a\\x00b\\u200bc\\ud800d")
        'abcd'
    """
    return _INVISIBLE.sub("", text)


def clean_text(text: str, *, latex: bool = True, braces: bool = False) -> str:
    """Return `text` as one clean line: NFC, no invisible characters, single spaces, simple LaTeX.

    Args:
        latex: turn simple LaTeX into Unicode (math symbols, accents, font commands, dashes).
        braces: also drop grouping braces, ``~`` and ``\\\\`` (for BibTeX fields).

    Example:
        >>> clean_text("  Deep\\n\\tlearning\\u200b  for\\x00 $k$-NN  ")
        'Deep learning for k-NN'
        >>> clean_text(r"a $3\\times$ speed-up with $\\alpha$-entmax, 95\\% of pages 1--2")
        'a 3× speed-up with α-entmax, 95% of pages 1–2'
        >>> clean_text(r"\\emph{Fast} and \\textbf{\\textit{small}} models")
        'Fast and small models'
        >>> clean_text(r"{\\"U}ber caf\\'e na\\"ive Erd\\H{o}s")
        'Über café naïve Erdős'
        >>> clean_text(r"{{BERT}}: Pre-training of {Deep} Bidirectional Transformers", braces=True)
        'BERT: Pre-training of Deep Bidirectional Transformers'
        >>> clean_text("``Why Should I Trust You?'': Explaining")
        '“Why Should I Trust You?”: Explaining'
        >>> clean_text(r"costs $5 and $10; keeps $O(n^2)$ as written")
        'costs $5 and $10; keeps $O(n^2)$ as written'
        >>> clean_text("Cafe\\u0301") == "Caf\\u00e9"
        True
    """
    text = strip_invisible(unicodedata.normalize("NFC", text))
    if latex and _LATEX_HINT.search(text):
        text = _latex(text, braces=braces)
    return unicodedata.normalize("NFC", " ".join(text.split()))  # split() splits at re's \s
