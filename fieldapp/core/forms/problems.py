"""Problems found while loading a form, located by file, sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FormProblem:
    """One thing wrong with a form definition.

    ``row`` is the row number as Excel shows it (the header is row 1), or None when the problem
    concerns the whole file or sheet; ``column`` is the column header (e.g. "relevant",
    "label::Vietnamese (vi)") or None.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def location(self) -> str:
        """Human-readable location, e.g. "survey row 12, column relevant"."""
        parts = []
        if self.sheet:
            parts.append(self.sheet if self.row is None else f"{self.sheet} row {self.row}")
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


class FormLoadError(Exception):
    """A form could not be loaded; ``problems`` lists every problem found (never empty)."""

    def __init__(self, problems: list[FormProblem]):
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "unknown problem"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)
