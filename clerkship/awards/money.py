"""Money is kept in whole cents and shown in dollars."""

from __future__ import annotations

from decimal import Decimal


def format_money(cents: int | None) -> str:
    """$2,000.00 for 200000 (template filter `money`); an empty string for None."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def to_cents(amount: Decimal) -> int:
    """Dollars (at most two decimals, checked by the form) as cents."""
    return int((amount * 100).to_integral_value())


def to_dollars(cents: int | None) -> Decimal | None:
    """Cents as dollars, for a form field's initial value."""
    return None if cents is None else Decimal(cents) / 100
