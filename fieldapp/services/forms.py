"""Which forms the app offers: the shipped forms/ plus those a commune adds in its data folder."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from fieldapp import paths
from fieldapp.core.forms import Form, FormLoadError, check_files, discover_forms, load_form
from fieldapp.core.forms.loader import FORM_SUFFIXES


@dataclass(frozen=True)
class FormInfo:
    form_id: str
    version: str
    title: dict[str, str]
    """Title by ISO language code ("vi", "en", ...)."""
    path: Path


def form_dirs() -> list[Path]:
    return [paths.forms_dir(), paths.commune_forms_dir()]


def all_form_files() -> list[Path]:
    files = []
    for directory in form_dirs():
        if directory.is_dir():
            files.extend(sorted(p for p in directory.iterdir() if p.is_file()
                                and p.suffix.lower() in FORM_SUFFIXES
                                and not p.name.startswith(("~$", "."))))
    return files


def check_form_files(files: list[Path] | None = None) -> list[str]:
    """One line per problem (empty when all load); no file given: every form the app would load."""
    targets = list(files) if files else all_form_files()
    return check_files(targets)


class FormCatalog:
    """Loads forms once and finds the exact version a submission was made with."""

    def __init__(self, dirs: list[Path] | None = None):
        self._dirs = dirs if dirs is not None else form_dirs()
        self._forms: dict[str, tuple[Path, Form]] | None = None
        self._old: dict[tuple[str, str], Form] = {}
        self.problems: dict[Path, list] = {}

    def _load(self) -> dict[str, tuple[Path, Form]]:
        if self._forms is None:
            self._forms = {}
            for path, result in discover_forms(self._dirs):
                if isinstance(result, Form):
                    # A commune's own copy of a form (later folder) replaces the shipped one.
                    self._forms[result.form_id] = (path, result)
                else:
                    self.problems[path] = result
        return self._forms

    def infos(self) -> list[FormInfo]:
        return [FormInfo(form.form_id, form.version,
                         {code: form.title.get(lang, "") for lang, code in form.language_codes.items()},
                         path)
                for path, form in self._load().values()]

    def current(self, form_id: str) -> tuple[Path, Form]:
        try:
            return self._load()[form_id]
        except KeyError:
            raise KeyError(form_id) from None

    def version(self, form_id: str, version: str, stored: dict | None) -> Form:
        """The form (form_id, version): the current file if its version matches, else the
        workbook stored with the submission (``stored``: a form_versions row)."""
        current = self._load().get(form_id)
        if current and current[1].version == version:
            return current[1]
        if (form_id, version) not in self._old:
            if stored is None:
                raise FormLoadError([])
            suffix = Path(stored["filename"]).suffix or ".xlsx"
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"{form_id}-{version}{suffix}"
                path.write_bytes(stored["content"])
                self._old[(form_id, version)] = load_form(path, source_label=stored["filename"])
        return self._old[(form_id, version)]
