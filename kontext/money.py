"""Money: amounts are integer micro-dollars everywhere, parsed and shown exactly by these two functions."""

from __future__ import annotations

from decimal import Decimal

MICROS_PER_USD = 1_000_000
_MICROS = Decimal(MICROS_PER_USD)


def parse_usd(value: str) -> int:
    """A US dollar amount such as "0.03" or "12" in micro-dollars, exactly; ValueError if not one."""
    try:
        micros = Decimal(value.strip().removeprefix("$")) * _MICROS  # Decimal, never float: 0.03 is exactly 30000
    except ArithmeticError as exc:  # Decimal's InvalidOperation
        raise ValueError(value) from exc
    if not micros.is_finite() or micros < 0 or micros != micros.to_integral_value():
        raise ValueError(value)
    return int(micros)


def format_usd(micros: int) -> str:
    """Micro-dollars for people, exactly: $0.30, $1,200.00, and $0.015 where cents are not enough."""
    amount = Decimal(micros) / _MICROS
    cents = amount.quantize(Decimal("0.01"))
    return f"${cents:,.2f}" if cents == amount else f"${amount.normalize():,f}"
