"""Money: an exact ``Decimal`` amount with its ISO 4217 currency.

Amounts are never floats and never rounded silently: input with more decimals than the
currency has minor units is an error. In storage an amount is an integer count of minor
units beside its currency code (see :meth:`Money.minor` and :meth:`Money.from_minor`).

>>> Money.parse("12.50", "EUR")
Money(amount=Decimal('12.50'), currency='EUR')
>>> Money.parse("12.505", "EUR")
Traceback (most recent call last):
    ...
paydesk.errors.InvalidAmount: 12.505 has more decimals than EUR allows (2)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

from paydesk.errors import CurrencyMismatch, InvalidAmount, InvalidCurrency

#: Largest amount paydesk accepts in one figure (in major units); guards against typos and overflow.
MAX_AMOUNT = Decimal("999999999999.99")

#: The ISO 20022 decimal grammar for amounts given as text: ASCII digits and an optional
#: fraction after a point. No exponent, no ``+``, no ``_``, no other scripts' digits; a ``-``
#: only where a negative amount is allowed.
_DECIMAL_TEXT = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?", re.ASCII)
#: Whitespace around a typed amount that is ignored (ASCII only).
_BLANKS = " \t\r\n"


@cache
def _iso_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """Return ``code`` if it is an ISO 4217 currency, else raise :class:`InvalidCurrency`."""
    if not isinstance(code, str) or code.upper() != code or code not in _iso_currencies():
        raise InvalidCurrency(f"{code!r} is not an ISO 4217 currency code")
    return code


@cache
def minor_units(currency: str) -> int:
    """Number of decimals the currency has (EUR 2, JPY 0, KWD 3)."""
    return get_currency_precision(check_currency(currency))


def _from_text(value: str, currency: str, minor: int) -> Decimal:
    """Read text by the decimal grammar; the fraction has at most ``minor`` digits."""
    match = _DECIMAL_TEXT.fullmatch(value.strip(_BLANKS))
    if match is None:
        raise InvalidAmount(
            f"{value!r} is not a decimal amount (ASCII digits with an optional fraction, "
            'e.g. "120.00")',
            value=value[:40],
        )
    fraction = match.group(3) or ""
    if len(fraction) > minor:
        raise InvalidAmount(
            f"{value} has more decimals than {currency} allows ({minor})",
            currency=currency,
            value=value[:40],
        )
    return Decimal(match.group(0))


def _to_decimal(value: object, currency: str, minor: int) -> Decimal:
    if isinstance(value, (bool, float)):
        raise InvalidAmount(f"{value!r}: amounts must be given as text or Decimal, not float")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        result = _from_text(value, currency, minor)
    else:
        raise InvalidAmount(f"{value!r} is not an amount")
    if not result.is_finite():
        raise InvalidAmount(f"{value!r} is not a finite amount")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency. Construct through :meth:`parse` or :meth:`from_minor`."""

    amount: Decimal
    currency: str

    @classmethod
    def parse(
        cls, value: object, currency: str, *, allow_negative: bool = False, allow_zero: bool = True
    ) -> Money:
        """Validate and build: ISO currency, no float, not over-precise, sign as allowed.

        Text follows the ISO 20022 decimal grammar (``"120"``, ``"120.5"``, ``"120.50"``):
        ASCII digits, a fraction no longer than the currency's minor units, no exponent, no
        ``+``, no ``_``, no other scripts' digits; ``-`` only with ``allow_negative``.
        """
        minor = minor_units(currency)
        amount = _to_decimal(value, currency, minor)
        exponent = amount.as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > minor and amount != amount.quantize(Decimal(1).scaleb(-minor)):
            raise InvalidAmount(
                f"{value} has more decimals than {currency} allows ({minor})",
                currency=currency,
            )
        if amount < 0 and not allow_negative:
            raise InvalidAmount(f"{value}: amount must not be negative")
        if amount == 0 and not allow_zero:
            raise InvalidAmount(f"{value}: amount must be greater than zero")
        if abs(amount) > MAX_AMOUNT:
            raise InvalidAmount(f"{value}: amount is larger than {MAX_AMOUNT}")
        return cls(amount.quantize(Decimal(1).scaleb(-minor)), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Build from an integer count of minor units, as stored."""
        return cls(Decimal(minor).scaleb(-minor_units(currency)), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.from_minor(0, currency)

    @property
    def minor(self) -> int:
        """The amount as an integer count of minor units (cents)."""
        return int(self.amount.scaleb(minor_units(self.currency)))

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} with {other.currency}",
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def parse_minor(value: object, currency: str, **kwargs: bool) -> int:
    """Validate an input amount and return it in minor units (for storage)."""
    return Money.parse(value, currency, **kwargs).minor


def format_minor(minor: int, currency: str) -> str:
    """Render stored minor units as a plain decimal string (``'12.50'``) for APIs and files."""
    return str(Money.from_minor(minor, currency).amount)
