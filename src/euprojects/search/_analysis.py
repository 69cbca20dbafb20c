"""Text analysis: one language-neutral analyzer (lower case, accents folded) and one stemming
analyzer per language that tantivy has a stemmer for."""

from __future__ import annotations

from functools import cache

import tantivy

__all__ = ["STEMMED", "NEUTRAL", "analyzer", "register", "stem_field", "fold_tokens"]

# ISO 639-1 -> tantivy (Snowball) stemmer name. Languages not here (cs, pl, sk, sl, hr, lt,
# lv, et, bg, mk, sr...) are searched through the neutral fields only.
STEMMED: dict[str, str] = {
    "en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian",
    "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish", "no": "norwegian",
    "fi": "finnish", "hu": "hungarian", "ro": "romanian", "el": "greek", "ru": "russian",
    "tr": "turkish",
}
NEUTRAL = "neutral"


def stem_field(lang: str) -> str:
    return f"stem_{lang}"


def _builder() -> tantivy.TextAnalyzerBuilder:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )


@cache
def analyzer(name: str) -> tantivy.TextAnalyzer:
    """NEUTRAL, or "stem_<lang>" for a language in STEMMED."""
    if name == NEUTRAL:
        return _builder().build()
    lang = name.removeprefix("stem_")
    return _builder().filter(tantivy.Filter.stemmer(STEMMED[lang])).build()


def register(index: tantivy.Index) -> None:
    index.register_tokenizer(NEUTRAL, analyzer(NEUTRAL))
    for lang in STEMMED:
        index.register_tokenizer(stem_field(lang), analyzer(stem_field(lang)))


def fold_tokens(text: str) -> list[str]:
    """The neutral tokens of a text, as the neutral fields hold them."""
    return analyzer(NEUTRAL).analyze(text)
