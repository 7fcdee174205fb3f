"""Compile the interface .po catalogs to .mo with babel, at set-up, at build or on first use.

.mo files are build products (not committed; build.spec ships them in the app). ``python -m fieldapp.i18n.compile`` compiles every
interface catalog in i18n/ (the set-up step); :func:`ensure_compiled` does it lazily for one
language when the app switches to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fieldapp import paths

DOMAIN = "fieldapp"


def po_path(language: str, locale_dir: Path | None = None) -> Path:
    base = locale_dir or paths.i18n_dir()
    return base / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def interface_languages(locale_dir: Path | None = None) -> list[str]:
    """Languages with an interface catalog ``i18n/<lang>/LC_MESSAGES/fieldapp.po``."""
    base = locale_dir or paths.i18n_dir()
    return sorted(p.parent.parent.name for p in base.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_po(po: Path, mo: Path) -> None:
    """Write ``mo`` from ``po``; fuzzy (unreviewed) entries are left out, as msgfmt does."""
    from babel.messages.mofile import write_mo  # only when compiling: keeps babel off start-up
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    mo.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    tmp.replace(mo)


def compile_to_bytes(po: Path) -> bytes:
    """The .mo content for ``po``, for when no folder can be written."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def ensure_compiled(language: str, locale_dir: Path | None = None) -> Path | None:
    """Return a locale folder holding an up-to-date ``<language>/LC_MESSAGES/fieldapp.mo``.

    An installed app ships its catalogs compiled (build.spec) and no .po: its .mo is used as it
    is, and nothing is written into the app's folder. From a source checkout (or a folder
    given explicitly) the .mo is written beside the .po when that folder is writable, else
    into the user cache folder, as it is for a wheel installed without compiled catalogs.
    Returns None when there is no catalog for ``language``.
    """
    po = po_path(language, locale_dir)
    shipped = po.parent.parent.parent
    if not po.exists():
        compiled = shipped / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        return shipped if compiled.exists() else None
    # The cache folder is computed only if the resource folder fails or is not ours to write
    # (platformdirs is not imported on a normal start).
    bases = [lambda: shipped] if locale_dir is not None or paths.in_checkout() else []
    for base_of in (*bases, paths.compiled_catalogs_dir):
        base = base_of()
        mo = base / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        try:
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                compile_po(po, mo)
            return base
        except OSError:
            continue
    return None


def compile_all(locale_dir: Path | None = None) -> list[Path]:
    """Compile every interface catalog; return the .mo files written."""
    written = []
    for language in interface_languages(locale_dir):
        po = po_path(language, locale_dir)
        mo = po.with_suffix(".mo")
        compile_po(po, mo)
        written.append(mo)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    locale_dir = Path(argv[0]) if argv else None
    for mo in compile_all(locale_dir):
        print(mo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
