"""Numbered generations of a derived index in a folder (the text index's ``gen-<n>``, the vector
index's ``v-<n>``): the one in use named in ``CURRENT``, replaced atomically once a new folder is
complete, and the oldest removed, so that readers of the one before finish."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["current", "next_name", "switch"]

_CURRENT = "CURRENT"


def current(path: Path) -> str | None:
    """The generation in use, or None."""
    try:
        return (path / _CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _numbered(path: Path, prefix: str) -> list[Path]:
    size = len(prefix)
    return sorted((p for p in path.glob(f"{prefix}*") if p.name[size:].isdigit()),
                  key=lambda p: int(p.name[size:]))


def next_name(path: Path, prefix: str) -> str:
    """The name of the generation after the newest one in ``path``."""
    numbers = [int(p.name[len(prefix):]) for p in _numbered(path, prefix)]
    return f"{prefix}{max(numbers, default=0) + 1}"


def switch(path: Path, name: str, prefix: str, keep: int) -> None:
    """Make the complete generation ``name`` the one in use, then remove all but the newest
    ``keep`` generations (never ``name``)."""
    tmp = path / f"{_CURRENT}.tmp"
    tmp.write_text(name, encoding="utf-8")
    os.replace(tmp, path / _CURRENT)
    for old in _numbered(path, prefix)[:-keep]:
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
