"""What of a project its meaning is read from (search by meaning, docs/semantic-search.md):
its title and the start of its description, as one text, and that text's hash, so that a
project whose text has not changed is never embedded again."""

from __future__ import annotations

import hashlib

from ._records import Project

__all__ = ["EMBEDDING_CHARS", "embedding_text", "embedding_hash"]

# How much of the description follows the title: measured on the cross-language development
# set (docs/semantic-search.md, "Text length"); the model reads at most 512 tokens anyway.
EMBEDDING_CHARS = 600


def embedding_text(project: Project, chars: int = EMBEDDING_CHARS) -> str:
    """The project's title (its acronym before it when the title does not hold it), then the
    start of its first description cut at a word boundary: one line of plain text."""
    title = project.title.text.strip()
    if project.acronym and project.acronym.lower() not in title.lower():
        title = f"{project.acronym}: {title}"
    body = " ".join(project.description[0].text.split()) if project.description else ""
    if len(body) > chars:
        cut = body.rfind(" ", 0, chars + 1)
        body = body[:cut if cut > chars // 2 else chars]
    text = f"{title}. {body}" if body else title
    return " ".join(text.split())


def embedding_hash(model: str, text: str) -> str:
    """What a stored vector was made from: the model and the text (hex, 32 characters)."""
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:32]
