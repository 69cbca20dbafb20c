"""Money as Decimal with a currency, and the co-financing rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["Money", "cofinancing_rate"]

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = "EUR"

    def to_dict(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}

    @classmethod
    def from_dict(cls, data: dict[str, str] | None) -> Money | None:
        if data is None:
            return None
        return cls(Decimal(data["amount"]), data["currency"])


def cofinancing_rate(eu: Money | None, total: Money | None) -> Decimal | None:
    """EU contribution / total budget in percent, two decimals; None when it cannot be known.

    Never divides by zero; never compares two currencies.
    """
    if eu is None or total is None or total.amount <= 0 or eu.currency != total.currency:
        return None
    return (eu.amount * 100 / total.amount).quantize(_CENT, rounding=ROUND_HALF_UP)
