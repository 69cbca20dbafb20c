"""Kohesio's objectives by name: the values of the ``objective`` facet, shown translated."""

from __future__ import annotations

__all__ = ["KOHESIO_OBJECTIVES"]


def _(message: str) -> str:
    """Marks a label for extraction (the interface translates it where it is shown)."""
    return message


# Kohesio's objectives by the English names its exports give (the thematic objectives of
# 2014-2020, then the policy objectives of 2021-2027 and the two objectives outside them), the
# values of the ``objective`` facet, shown in the wording of the regulations' French and German
# texts. A name Kohesio spells otherwise is shown as Kohesio gives it.
KOHESIO_OBJECTIVES: tuple[str, ...] = (
    _("Strengthening research, technological development and innovation"),
    _("Enhancing access to, and use and quality of, ICT"),
    _("Enhancing the competitiveness of SMEs"),
    _("Supporting the shift towards a low-carbon economy in all sectors"),
    _("Promoting climate change adaptation, risk prevention and management"),
    _("Preserving and protecting the environment and promoting resource efficiency"),
    _("Promoting sustainable transport and removing bottlenecks in key network infrastructures"),
    _("Promoting sustainable and quality employment and supporting labour mobility"),
    _("Promoting social inclusion, combating poverty and any discrimination"),
    _("Investing in education, training and vocational training for skills and lifelong learning"),
    _("Enhancing institutional capacity of public authorities and stakeholders and efficient public administration"),  # noqa: E501
    _("A more competitive and smarter Europe"),
    _("A greener, low-carbon Europe"),
    _("A more connected Europe"),
    _("A more social and inclusive Europe"),
    _("A Europe closer to citizens"),
    _("Just transition"),
    _("Technical assistance"),
)
