import pytest

from euprojects.model import guess_language


@pytest.mark.parametrize(
    ("text", "candidates", "lang"),
    [
        ("Das Projektgebiet liegt im ländlich dominierten Grenzraum und wird von der", ["sl", "de"], "de"),
        ("Projektno območje leži v podeželskem mejnem prostoru in je za to", ["sl", "de"], "sl"),
        ("In dit project zullen door middel van een onderzoek de mogelijkheden voor het", ["de", "nl"], "nl"),
        ("Les producteurs de produits alimentaires peuvent augmenter leur chiffre et la", None, "fr"),
        ("Short name", ["de", "cs"], None),  # too short to tell: unknown, not guessed
        ("", None, None),
        ("Das Projekt und die Region", ["it"], None),  # not among the candidates
    ],
)
def test_guess_language(text, candidates, lang):
    assert guess_language(text, candidates) == lang
