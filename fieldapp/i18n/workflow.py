"""The interface-catalog workflow in one place (babel's Python API, configured by i18n/babel.cfg).

    python -m fieldapp.i18n.workflow extract    # source -> i18n/fieldapp.pot
    python -m fieldapp.i18n.workflow update     # fieldapp.pot -> i18n/<lang>/LC_MESSAGES/fieldapp.po (merge)
    python -m fieldapp.i18n.workflow compile    # .po -> .mo (also: python -m fieldapp.i18n.compile)
    python -m fieldapp.i18n.workflow check      # template up to date, msgfmt -c, untranslated/fuzzy counts
    python -m fieldapp.i18n.workflow all        # extract, update, compile, check

A new interface language: ``python -m fieldapp.i18n.workflow init LANG`` then translate its .po.
Label packs (i18n/packs/) have their own workflow; this script only touches the interface catalog.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]  # the source checkout
I18N = ROOT / "i18n"
MAPPING = I18N / "babel.cfg"
TEMPLATE = I18N / "fieldapp.pot"
DOMAIN = "fieldapp"
LANGUAGES = ("vi", "en")
WIDTH = 100
HEADER = ("# Interface strings of fieldapp.\n"
          "# Made with fieldapp/i18n/workflow.py from the source (i18n/babel.cfg); do not edit msgids here.\n"
          "# Licence: as fieldapp (GPL-3.0-or-later).")



def po_file(language: str, base: Path = I18N) -> Path:
    return base / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract(root: Path = ROOT) -> Catalog:
    """Extract every marked string of the source into a new template catalog."""
    with MAPPING.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(MAPPING))
    template = Catalog(header_comment=HEADER, project="fieldapp", version="1",
                       copyright_holder="fieldapp contributors", msgid_bugs_address=" ",
                       charset="utf-8", fuzzy=False,
                       creation_date=datetime(2026, 1, 1, tzinfo=timezone.utc))
    # Only the keywords named in babel.cfg count: babel's defaults would also pick up e.g.
    # gettext() calls that are not interface text.
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root), method_map, options_map, keywords={}, strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=WIDTH, include_lineno=False, ignore_obsolete=True,
                 sort_output=False)


def cmd_extract() -> None:
    template = extract()
    _write(template, TEMPLATE)
    print(f"{TEMPLATE.relative_to(ROOT)}: {len(template)} messages")


def cmd_init(language: str) -> None:
    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    catalog = Catalog(locale=language, header_comment=HEADER, project="fieldapp", version="1",
                      copyright_holder="fieldapp contributors", msgid_bugs_address=" ",
                      last_translator="fieldapp team", language_team=language,
                      revision_date=datetime.now(timezone.utc), charset="utf-8", fuzzy=False)
    catalog.update(template)
    _write(catalog, po_file(language))
    print(f"{po_file(language).relative_to(ROOT)} created")


def cmd_update() -> None:
    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    for language in LANGUAGES:
        path = po_file(language)
        if not path.exists():
            cmd_init(language)
            continue
        with path.open("rb") as f:
            catalog = read_po(f, locale=language)
        # English keeps empty msgstrs (the msgids are English); guessing one from a similar
        # string would only add noise there.
        catalog.update(template, update_header_comment=False, no_fuzzy_matching=language == "en")
        catalog.fuzzy = False
        if language == "en":
            for message in catalog:
                if message.id and not any(message.string if isinstance(message.string, tuple)
                                              else (message.string,)):
                    message.flags.discard("fuzzy")
        _write(catalog, path)
        missing = sum(1 for m in catalog if m.id and not m.string and language != "en")
        fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, "
              f"{missing} untranslated, {fuzzy} fuzzy")


def cmd_compile() -> None:
    from fieldapp.i18n.compile import compile_all

    for mo in compile_all(I18N):
        print(f"{mo.relative_to(ROOT)}")


def _ids(catalog: Catalog) -> set[tuple[str | None, object]]:
    return {(m.context, m.id) for m in catalog if m.id}


def cmd_check() -> int:
    """Report problems; exit status 1 when there are any."""
    problems = []
    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    fresh = extract()
    if _ids(fresh) != _ids(template):
        new = _ids(fresh) - _ids(template)
        gone = _ids(template) - _ids(fresh)
        problems.append(f"template out of date: {len(new)} new, {len(gone)} removed "
                        f"(run: python -m fieldapp.i18n.workflow extract update)")
    msgfmt = shutil.which("msgfmt")
    for po in sorted(I18N.rglob("*.po")):
        if msgfmt:
            run = subprocess.run([msgfmt, "-c", "--check-format", "-o", "/dev/null", str(po)],
                                 capture_output=True, text=True)
            if run.returncode:
                problems.append(f"msgfmt -c {po.relative_to(ROOT)}:\n{run.stderr}")
    with po_file("vi").open("rb") as f:
        vi = read_po(f)
    for m in vi:
        if m.id and (m.fuzzy or not (m.string if isinstance(m.string, str) else all(m.string))):
            problems.append(f"vi: untranslated or fuzzy: {m.context or ''}|{m.id!r}")
    if _ids(vi) != _ids(template):
        problems.append("vi catalog does not match the template (run: python -m fieldapp.i18n.workflow update)")
    for p in problems:
        print(p)
    if not msgfmt:
        print("msgfmt not found: .po files not checked with GNU gettext")
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command, *rest = argv
    if command == "extract":
        cmd_extract()
    elif command == "update":
        cmd_update()
    elif command == "compile":
        cmd_compile()
    elif command == "init" and rest:
        cmd_init(rest[0])
    elif command == "check":
        return cmd_check()
    elif command == "all":
        cmd_extract()
        cmd_update()
        cmd_compile()
        return cmd_check()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
