"""Compile the interface .po catalogs to .mo with babel, at set-up or on first use."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from fieldapp import paths

DOMAIN = "fieldapp"


def po_path(language: str, locale_dir: Path | None = None) -> Path:
    base = locale_dir or paths.i18n_dir()
    return base / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_po(po: Path, mo: Path) -> None:
    with po.open("rb") as f:
        catalog = read_po(f)
    mo.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    tmp.replace(mo)


def ensure_compiled(language: str, locale_dir: Path | None = None) -> Path | None:
    """Return a locale folder holding an up-to-date ``<language>/LC_MESSAGES/fieldapp.mo``.

    The .mo is written beside the .po when that folder is writable (a checkout), else into the
    user cache folder. Returns None when there is no catalog for ``language``.
    """
    po = po_path(language, locale_dir)
    if not po.exists():
        return None
    for base in (po.parent.parent.parent, paths.compiled_catalogs_dir()):
        mo = base / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        try:
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                compile_po(po, mo)
            return base
        except OSError:
            continue
    return None
