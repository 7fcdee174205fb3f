"""Problems found while loading a form, located by file, sheet, row and column.

Messages are :class:`~fieldapp.core.xpath.errors.Message` objects (an English msgid and its
values), translated into the interface language each time a problem is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.core.xpath.errors import Message
from fieldapp.i18n.catalog import _, ngettext

__all__ = ["FormLoadError", "FormProblem", "Message", "file_problem"]


@dataclass(frozen=True, slots=True)
class FormProblem:
    """One thing wrong with a form definition.

    ``row`` is the row number as Excel shows it (the header is row 1), or None when the problem
    concerns the whole file or sheet; ``column`` is the column header (e.g. "relevant",
    "label::Vietnamese (vi)") or None. ``detail`` is the message, translated when read through
    :attr:`message` or ``str()`` (a plain str is shown as it is).
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    detail: Message | str

    @property
    def message(self) -> str:
        """The message in the current interface language."""
        return str(self.detail)

    def location(self) -> str:
        """Human-readable location, e.g. "survey row 12, column relevant".

        Sheet names and column headers are the workbook's own, so they are not translated.
        """
        sheet, row, column = self.sheet, self.row, self.column
        if sheet and row is not None:
            if column:
                return _("{sheet} row {row}, column {column}").format(
                    sheet=sheet, row=row, column=column)
            return _("{sheet} row {row}").format(sheet=sheet, row=row)
        if sheet:
            if column:
                return _("{sheet}, column {column}").format(sheet=sheet, column=column)
            return sheet
        if row is not None:
            if column:
                return _("row {row}, column {column}").format(row=row, column=column)
            return _("row {row}").format(row=row)
        if column:
            return _("column {column}").format(column=column)
        return ""

    def __str__(self) -> str:
        where = self.location()
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


class FormLoadError(Exception):
    """A form could not be loaded; ``problems`` lists every problem found (never empty)."""

    def __init__(self, problems: list[FormProblem]):
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        # Built when shown, so the text follows the interface language.
        if not self.problems:
            return _("unknown problem")
        first = str(self.problems[0])
        more = len(self.problems) - 1
        if not more:
            return first
        return ngettext("{problem} (and {count} more problem)",
                        "{problem} (and {count} more problems)", more).format(
            problem=first, count=more)


def file_problem(label: str, msgid: str, /, **values: object) -> FormLoadError:
    """A FormLoadError about the whole file ``label`` (no sheet, row or column): ``msgid`` is an
    N_()-marked message filled with ``values`` when shown."""
    return FormLoadError([FormProblem(label, None, None, None, Message(msgid, **values))])
