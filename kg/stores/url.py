"""Server URLs: which store a URL names, and the URL as kg may show it (never with a password)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
FALKOR_SCHEMES = ("falkor", "falkors")


def server_kind(url: str) -> str | None:
    """ "neo4j", "falkordb", or None for a path (the embedded graph).

    Example:
        >>> server_kind("bolt://localhost:7687"), server_kind("falkor://h:6379"), server_kind("kg-out")
        ('neo4j', 'falkordb', None)
    """
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme in NEO4J_SCHEMES:
        return "neo4j"
    if scheme in FALKOR_SCHEMES:
        return "falkordb"
    return None


def redact(url: str) -> str:
    """The URL with any password replaced by `***`, for messages and logs.

    Example:
        >>> redact("neo4j+s://neo4j:s3cr%40t@db.example.org:7687/kg")
        'neo4j+s://neo4j:***@db.example.org:7687/kg'
        >>> redact("falkor://localhost:6379")
        'falkor://localhost:6379'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{parts.username}:***@{host}" if parts.username else f":***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """The URL without `user:password@`, and the (unquoted) user and password it held.

    Example:
        >>> split_userinfo("bolt://neo4j:p%40ss@localhost:7687")
        ('bolt://localhost:7687', 'neo4j', 'p@ss')
    """
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    bare = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return bare, user, password
