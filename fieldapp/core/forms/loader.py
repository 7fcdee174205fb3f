"""Load XLSForm files (.xlsx, pyxform .md and .csv) into checked :class:`Form` objects.

pyxform reads the workbook (its xls2json_backends give per-sheet lists of row dicts, one per
sheet row, so list index + 2 is the row number Excel shows) and validates it with
workbook_to_json; this module then runs its own checks on the raw rows so every problem comes
with sheet, row and column, and all problems are reported at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from fieldapp.core.forms.model import Form
from fieldapp.core.forms.problems import FormLoadError, FormProblem

FORM_SUFFIXES = (".xlsx", ".xlsm", ".md", ".csv")


def load_form(path: str | os.PathLike[str], *, source_label: str | None = None) -> Form:
    """Read, check and build the form at ``path``.

    ``source_label`` names the file in problems (default: the file name). Raises FormLoadError
    listing every problem found; never lets another exception escape for bad input.
    """
    raise NotImplementedError


def discover_forms(dirs: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, Form | list[FormProblem]]]:
    """Load every form file found directly in ``dirs`` (shipped forms/, the commune's folder).

    Returns (path, Form) for forms that load and (path, problems) for those that do not, sorted
    by directory order then file name. Missing directories are skipped; temporary Excel lock
    files (~$name.xlsx) are ignored.
    """
    raise NotImplementedError


def check_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """One line per problem over all ``paths`` (empty when every form loads), e.g.
    "household_survey.xlsx: survey row 12, column relevant: unknown function 'foo()'"."""
    raise NotImplementedError
