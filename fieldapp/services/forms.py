"""Which forms the app offers: the shipped forms/ plus those a commune adds in its data folder.

This is where form files are read: :func:`load_form_file` reads one workbook and hands its
bytes to the forms engine (:func:`fieldapp.core.forms.load_form`), with the data files shipped
with it (:func:`media_source`: CSV/XML/GeoJSON files in ``<form>-media/`` or beside the
workbook, as ODK Collect keeps them); :func:`discover_forms` loads every form file of some
folders (and of their form folders), and :class:`FormCatalog` keeps the loaded forms and
rebuilds old versions from the workbooks stored with submissions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from fieldapp.errors import os_reason
from fieldapp import paths
from fieldapp.core.forms import Form, FormLoadError, FormProblem, load_form
from fieldapp.core.forms.problems import file_problem
from fieldapp.core.forms.media import MAX_MEDIA_BYTES, MediaSource
from fieldapp.core.forms.reading import FORM_SUFFIXES, check_size, check_suffix, pyxform_refusal
from fieldapp.core.xpath.errors import Message
from fieldapp.i18n.catalog import N_, _

MEDIA_FOLDER_SUFFIX = "-media"


def media_source(form_path: Path) -> MediaSource:
    """Finds a data file of the form at ``form_path``: in ``<stem>-media/``, else beside the
    workbook. Only plain file names are looked up (nothing outside those two folders)."""
    folders = [form_path.parent / (form_path.stem + MEDIA_FOLDER_SUFFIX), form_path.parent]

    def read(name: str) -> bytes | None:
        if not name or name != os.path.basename(name) or name in (".", "..") \
                or "\\" in name or "/" in name:
            return None
        for folder in folders:
            candidate = folder / name
            if candidate.is_file():
                if candidate.stat().st_size > MAX_MEDIA_BYTES:
                    return b"\0" * (MAX_MEDIA_BYTES + 1)  # refused by size, unread
                return candidate.read_bytes()
        return None

    return read


@dataclass(frozen=True)
class FormInfo:
    form_id: str
    version: str
    title: dict[str, str]
    """Title by ISO language code ("vi", "en", ...)."""
    path: Path


def load_form_file(path: str | os.PathLike[str], *, source_label: str | None = None) -> Form:
    """Read, check and build the form file at ``path``.

    ``source_label`` names the file in problems (default: the file name). Raises FormLoadError
    listing every problem found, also when the file cannot be read.
    """
    path = Path(path)
    label = source_label or path.name
    check_suffix(path.name, label)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise file_problem(label, N_("cannot open the file: {detail}"),
                           detail=os_reason(exc)) from None
    if not path.is_file():
        raise file_problem(label, N_("not a file"))
    check_size(size, label)  # before reading: a huge file is refused unread
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_problem(label, N_("cannot read the file: {detail}"),
                           detail=os_reason(exc)) from None
    return load_form(data, path.name, source_label=label, media=media_source(path))


def form_files(directory: Path) -> list[Path]:
    """The form files directly in ``directory`` and in its form folders (a folder holding a
    workbook and its data files), by name; Excel lock files (``~$name.xlsx``), hidden files and
    ``-media`` folders are left out, and a missing directory has none."""
    if not directory.is_dir():
        return []

    def files(folder: Path) -> list[Path]:
        return sorted((p for p in folder.iterdir()
                       if p.is_file() and p.suffix.lower() in FORM_SUFFIXES
                       and not p.name.startswith(("~$", "."))), key=lambda p: p.name)

    found = files(directory)
    for sub in sorted(directory.iterdir(), key=lambda p: p.name):
        if sub.is_dir() and not sub.name.startswith(".") \
                and not sub.name.endswith(MEDIA_FOLDER_SUFFIX):
            found.extend(files(sub))
    return found


_LOADED: dict[tuple[str, int, int], Form] = {}
"""Forms this process has built, by file (path, modification time, size): Home, every report
and every export ask the catalog for the forms again; a workbook is read once until it
changes."""


def _cached_form(path: Path) -> Form:
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return load_form_file(path)  # reports the problem
    form = _LOADED.get(key)
    if form is None:
        form = load_form_file(path)
        if len(_LOADED) >= 64:
            _LOADED.clear()
        _LOADED[key] = form
    return form


def discover_forms(
    dirs: Iterable[str | os.PathLike[str]],
) -> list[tuple[Path, Form | list[FormProblem]]]:
    """Load every form file found directly in ``dirs`` (shipped forms/, the commune's folder).

    Returns (path, Form) for forms that load and (path, problems) for those that do not, in the
    order of ``dirs`` then by file name (see :func:`form_files`).
    """
    found: list[tuple[Path, Form | list[FormProblem]]] = []
    for d in dirs:
        paths = form_files(Path(d))
        # Workbooks first: a CSV one of them uses as its data is not a form of its own.
        results: dict[Path, Form | list[FormProblem]] = {}
        for path in sorted(paths, key=lambda p: p.suffix.lower() == ".csv"):
            if path.suffix.lower() == ".csv" and any(
                    isinstance(r, Form) and path.name in r.media and p.parent == path.parent
                    for p, r in results.items()):
                continue
            try:
                results[path] = _cached_form(path)
            except FormLoadError as err:
                results[path] = err.problems
        found.extend((p, results[p]) for p in paths if p in results)
    return found


@dataclass(frozen=True)
class CheckReport:
    """What ``fieldapp forms check`` prints: one line per problem (the forms that do not
    load) and one per warning (forms that load, but not as their author meant or not in ODK
    Collect: pyxform refuses them, a path reaches nothing, a column is ignored)."""

    problems: list[str]
    warnings: list[str]


def check_forms(files: Iterable[str | os.PathLike[str]]) -> CheckReport:
    """Check ``files``: problems and warnings, one line each, e.g. "household_survey.xlsx:
    survey row 12, column relevant: unknown function 'foo()'". A CSV that a workbook beside it
    uses as its data file is that form's data, not a form."""
    problems: list[str] = []
    warnings: list[str] = []
    paths = [Path(p) for p in files]
    used: set[Path] = set()
    results: dict[Path, Form | FormLoadError] = {}
    for path in sorted(paths, key=lambda p: p.suffix.lower() == ".csv"):
        if path in used:
            continue
        try:
            form = results[path] = load_form_file(path)
            used.update(path.parent / name for name in form.media)
        except FormLoadError as err:
            results[path] = err
    for path in paths:
        result = results.get(path)
        if isinstance(result, FormLoadError):
            problems.extend(" ".join(str(p).split()) for p in result.problems)
        elif isinstance(result, Form):
            found = [str(w) for w in result.warnings]
            refusal = pyxform_refusal(path.read_bytes(), path.name)
            if refusal is not None:
                found.insert(0, str(FormProblem(path.name, None, None, None, Message(
                    N_("the XLSForm converter pyxform refuses this form, so ODK Collect cannot "
                       "use it (it loads here): {detail}"), detail=refusal))))
            warnings.extend(_("{file}: warning: {problem}").format(
                file=path.name, problem=" ".join(line.split()).removeprefix(path.name + ": "))
                for line in found)
    return CheckReport(problems, warnings)


def check_files(files: Iterable[str | os.PathLike[str]]) -> list[str]:
    """One line per problem over all ``files`` (empty when every form loads); see
    :func:`check_forms`, which also gives the warnings."""
    return check_forms(files).problems


def form_dirs() -> list[Path]:
    return [paths.forms_dir(), paths.commune_forms_dir()]


def all_form_files() -> list[Path]:
    return [path for directory in form_dirs() for path in form_files(directory)]


def check_form_files(files: list[Path] | None = None) -> CheckReport:
    """Problems and warnings of ``files``; no file given: every form the app would load."""
    targets = list(files) if files else all_form_files()
    return check_forms(targets)


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

    @property
    def dirs(self) -> list[Path]:
        return list(self._dirs)

    def reload(self) -> None:
        """Read the form files again at the next use (they were replaced)."""
        self._forms = None
        self.problems = {}

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
        """The form (form_id, version): the current file if its version matches, else built from
        the workbook stored with the submission (``stored``: a form_versions row)."""
        current = self._load().get(form_id)
        if current and current[1].version == version:
            return current[1]
        if (form_id, version) not in self._old:
            if stored is None:
                raise FormLoadError([])
            filename = stored["filename"]
            # The format comes from the stored name; a name without a suffix was a workbook.
            if not os.path.splitext(filename)[1]:
                filename = f"{form_id}.xlsx"
            # The data files are read from the current form's folder (the stored version
            # keeps only the workbook).
            media = media_source(current[0]) if current else None
            self._old[(form_id, version)] = load_form(
                stored["content"], filename, source_label=stored["filename"],
                **({"media": media} if media else {}))
        return self._old[(form_id, version)]
