"""Refusals of bad input that name the field at fault, so a screen shows the message beside it.

Services check everything before they write (nothing is saved half-way): a refused request
raises :class:`FieldError` with the field's name, and the screen puts the message next to that
field. Several problems at once are :class:`FieldErrors`.
"""

from __future__ import annotations

import datetime as dt

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc

MIN_BIRTH_YEAR = 1900


class FieldError(UserError):
    """A value refused; ``field`` names it (as the request names it)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class FieldErrors(UserError):
    """Several values refused: {field: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


class Problems:
    """Collects refusals; :meth:`raise_any` raises them together."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            field, message = next(iter(self.errors.items()))
            raise FieldError(field, message)
        if self.errors:
            raise FieldErrors(self.errors)


def clean_text(value) -> str:
    """NFC text with runs of white space collapsed ('' for None)."""
    return " ".join(nfc(str(value)).split()) if value is not None else ""


def parse_date(value, field: str, problems: Problems, *, required: bool = True
               ) -> dt.date | None:
    """A date given as a date or as ISO text (yyyy-mm-dd)."""
    if value in (None, ""):
        if required:
            problems.add(field, _("Enter a date."))
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.add(field, _("This is not a date (day/month/year)."))
        return None


def birth_year(value, field: str, problems: Problems, today: dt.date) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        problems.add(field, _("The year of birth must be a number, such as 1985."))
        return None
    if not MIN_BIRTH_YEAR <= year <= today.year:
        problems.add(field, _("The year of birth must be between {first} and {last}.").format(
            first=MIN_BIRTH_YEAR, last=today.year))
        return None
    return year
