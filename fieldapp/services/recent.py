"""The database the app opened last, so that ``fieldapp check`` without ``--db`` checks it.

Right after ``python3 -m fieldapp.bootstrap demo`` the app has opened the demo commune, not the
data folder's ``fieldapp.db``; checking "the database" then means that one. The app records
the file it opens in the data folder (a local note of this laptop, never synced).
"""

from __future__ import annotations

from pathlib import Path

from fieldapp import paths
from fieldapp.i18n.catalog import _

LAST_DATABASE = "last_database.txt"


def _note() -> Path:
    return paths.data_dir() / LAST_DATABASE


def remember_opened(path: Path) -> None:
    """Note ``path`` as the database the app opened (best effort: a read-only data folder
    only means ``fieldapp check`` falls back to the default file)."""
    try:
        _note().parent.mkdir(parents=True, exist_ok=True)
        _note().write_text(str(Path(path).resolve()), encoding="utf-8")
    except OSError:
        pass


def last_opened() -> Path | None:
    try:
        text = _note().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return Path(text) if text else None


def database_to_check(explicit: Path | str | None) -> tuple[Path, str]:
    """(database file, why it was chosen: '' when given or the default) for ``fieldapp
    check``: the file given; else the one the app opened last, if it still exists; else the
    data folder's database, or the demo commune when only that exists."""
    if explicit:
        return Path(explicit), ""
    last = last_opened()
    if last is not None and last.is_file():
        return last, _("the database the app opened last")
    default = paths.default_db_path()
    if not default.exists() and paths.demo_db_path().is_file():
        return paths.demo_db_path(), _("the demo commune")
    return default, ""
