"""Stable ids that carry their source: ``keep:<key>``, ``cordis:<grant id>``, ``org:<key>``."""

from __future__ import annotations

import hashlib

from ._vocab import fold

__all__ = ["project_id", "organisation_id"]


def _digest(*parts: str) -> str:
    joined = "\x1f".join(fold(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:12]


def project_id(source: str, native_id: str | None = None, *key_parts: str) -> str:
    """``<source>:<native id>`` when the source has a stable id, else a digest of a natural key.

    keep.eu's exports carry no project id, so keep.eu projects take a digest of programme +
    acronym, whatever the format they came in (export or API), and so keep one id.
    """
    if native_id is not None:
        return f"{source}:{native_id}"
    if not key_parts:
        raise ValueError("a project id needs a native id or a natural key")
    return f"{source}:{_digest(*key_parts)}"


def organisation_id(
    name: str, country: str | None, city: str | None, source: str | None = None
) -> str:
    """One organisation record per source and folded name + country + city.

    keep.eu records (the first source) take the unscoped digest they had before other
    sources came; the records of every other source are scoped by ``source``, so two sources
    never write one record: records of the same organisation are linked, not overwritten
    (model/_orgmatch.py, store/_links.py)."""
    if source is None or source == "keep":
        return f"org:{_digest(name, country or '', city or '')}"
    return f"org:{_digest(source, name, country or '', city or '')}"
