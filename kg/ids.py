"""Paper ids: arXiv id when there is one, else the DOI, else a hash of the normalised title."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

# New style 2310.07298 (4 digits before 2015), old style hep-th/9901001 or math.GT/0309136.
_ARXIV = r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
_ARXIV_ID = re.compile(
    r"(?:arxiv:\s*)?"
    r"(?:(?:https?://)?(?:[\w-]+\.)?arxiv\.org/(?:abs|pdf|html|format|ps)/)?"
    r"(?:(?:https?://)?(?:dx\.)?(?:doi\.org/)?10\.48550/arxiv\.)?"
    rf"{_ARXIV}(?:\.pdf)?/?",
    re.IGNORECASE,
)
_ARXIV_IN_TEXT = re.compile(rf"\barxiv:\s*{_ARXIV}", re.IGNORECASE)
_DOI = re.compile(r"(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+")


def arxiv_id(value: str) -> str | None:
    """Return the bare arXiv id in an id, URL, eprint or arXiv DOI, without its version.

    Example:
        >>> [arxiv_id(v) for v in ("arXiv:2310.07298v2", "http://arxiv.org/abs/2310.07298v2",
        ...  "https://arxiv.org/pdf/2310.07298", "10.48550/arXiv.2310.07298", "2310.07298")]
        ['2310.07298', '2310.07298', '2310.07298', '2310.07298', '2310.07298']
        >>> arxiv_id("http://arxiv.org/abs/hep-th/9901001v3"), arxiv_id("math.GT/0309136")
        ('hep-th/9901001', 'math.GT/0309136')
        >>> arxiv_id("10.1109/5.771073") is None, arxiv_id("pages 1234.5678 to 9") is None
        (True, True)
    """
    match = _ARXIV_ID.fullmatch(value.strip())
    if match is None:
        return None
    found = match.group(1)
    archive, slash, number = found.partition("/")
    if slash:  # archive names are lower case; a subject class such as .GT stays upper case
        name, dot, subject = archive.partition(".")
        found = f"{name.lower()}{dot}{subject.upper()}/{number}"
    return found


def find_arxiv_id(text: str) -> str | None:
    """Return the id of the first ``arXiv:ID`` written in free text, such as a BibTeX note.

    Example:
        >>> find_arxiv_id("arXiv:1706.03762 [cs]"), find_arxiv_id("Preprint. No id.")
        ('1706.03762', None)
    """
    match = _ARXIV_IN_TEXT.search(text)
    return arxiv_id(match.group(1)) if match else None


def normalize_doi(value: str) -> str | None:
    """Return the DOI in `value` in lower case, without a resolver prefix.

    Example:
        >>> normalize_doi("https://doi.org/10.1109/CVPR42600.2020.00975")
        '10.1109/cvpr42600.2020.00975'
        >>> normalize_doi("doi:10.1038/S41586-021-03819-2"), normalize_doi("n/a")
        ('10.1038/s41586-021-03819-2', None)
    """
    match = _DOI.fullmatch(value.strip())
    return match.group(1).lower().rstrip(".") if match else None


def title_key(title: str) -> str:
    """Return the form of a title under which copies of one paper meet.

    Example:
        >>> title_key("  BERT: Pre-training of Deep\\nBidirectional  Transformers!")
        'bert pre training of deep bidirectional transformers'
        >>> title_key("Caf\\u00e9") == title_key("Cafe\\u0301")
        True
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    return _NON_WORD.sub(" ", text).strip()


def title_id(title: str) -> str:
    """Return ``title:`` and the first 16 hex digits of the SHA-1 of the title's key.

    Example:
        >>> title_id("Attention Is All You Need") == title_id("attention is all you need.")
        True
        >>> title_id("Attention Is All You Need")
        'title:37f63852cdfb0690'
    """
    digest = hashlib.sha1(title_key(title).encode("utf-8"), usedforsecurity=False)
    return "title:" + digest.hexdigest()[:16]


def make_paper_id(title: str, *, refs: Iterable[str | None] = (), doi: str | None = None) -> str:
    """Return a paper id: the first arXiv id among `refs` and `doi`, else the DOI, else the title.

    Args:
        refs: values that may hold an arXiv id (ids, URLs, eprint fields), best first.

    Example:
        >>> make_paper_id("T", refs=["https://example.org", "arXiv:1706.03762v7"])
        '1706.03762'
        >>> make_paper_id("T", doi="10.48550/arXiv.1706.03762")
        '1706.03762'
        >>> make_paper_id("T", doi="https://doi.org/10.18653/V1/N19-1423")
        'doi:10.18653/v1/n19-1423'
        >>> make_paper_id("Attention Is All You Need")
        'title:37f63852cdfb0690'
    """
    for ref in (*refs, doi):
        found = arxiv_id(ref) if ref else None
        if found:
            return found
    bare_doi = normalize_doi(doi) if doi else None
    if bare_doi:
        return "doi:" + bare_doi
    return title_id(title)
