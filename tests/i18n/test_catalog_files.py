"""The catalog files in i18n/: valid for GNU gettext, up to date with the source, vi complete."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "i18n"
MSGFMT = shutil.which("msgfmt")


def _tool():
    from fieldapp.i18n import workflow

    return workflow


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


ALL_PO = sorted(I18N.rglob("*.po"))


def test_catalogs_exist():
    assert (I18N / "babel.cfg").is_file()
    assert (I18N / "fieldapp.pot").is_file()
    assert (I18N / "vi" / "LC_MESSAGES" / "fieldapp.po").is_file()
    assert (I18N / "en" / "LC_MESSAGES" / "fieldapp.po").is_file()


@pytest.mark.skipif(MSGFMT is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("po", ALL_PO, ids=lambda p: str(p.relative_to(I18N)))
def test_gnu_msgfmt_accepts_every_po_file(po):
    run = subprocess.run([MSGFMT, "-c", "--check-format", "-o", "/dev/null", str(po)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.skipif(MSGFMT is None, reason="GNU gettext's msgfmt is not installed")
def test_msgfmt_check_can_fail(tmp_path):
    bad = tmp_path / "bad.po"
    bad.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                   '#, python-brace-format\nmsgid "{path} does not exist."\n'
                   'msgstr "{duong_dan} không tồn tại."\n', encoding="utf-8")
    run = subprocess.run([MSGFMT, "-c", "--check-format", "-o", "/dev/null", str(bad)],
                         capture_output=True, text=True)
    assert run.returncode != 0


def test_template_is_up_to_date_with_the_source():
    """Every string marked in fieldapp/ (with the keywords of i18n/babel.cfg) is in the template
    and in both catalogs; nothing stale is left. Fix: python -m fieldapp.i18n.workflow extract update."""
    fresh = {(m.context, m.id) for m in _tool().extract() if m.id}
    template = {(m.context, m.id) for m in _read(I18N / "fieldapp.pot") if m.id}
    assert sorted(map(repr, fresh - template)) == [], "strings missing from i18n/fieldapp.pot"
    assert sorted(map(repr, template - fresh)) == [], "stale strings in i18n/fieldapp.pot"
    for language in ("vi", "en"):
        po = {(m.context, m.id) for m in _read(I18N / language / "LC_MESSAGES" / "fieldapp.po")
              if m.id}
        assert po == fresh, f"{language} catalog out of date"


def test_extraction_sees_code_lists_contexts_plurals_and_qt_strings():
    ids = {(m.context, m.id) for m in _tool().extract() if m.id}
    assert (None, "Head of household") in ids  # N_() in fieldapp/core/codes.py
    assert ("QPlatformTheme", "OK") in ids  # pgettext_noop() in fieldapp/ui/i18n_qt.py
    assert any(isinstance(i, tuple) for _, i in ids)  # ngettext


def test_vietnamese_catalog_is_complete_reviewed_and_nfc():
    vi = _read(I18N / "vi" / "LC_MESSAGES" / "fieldapp.po")
    assert vi.plural_forms == "nplurals=1; plural=0;"
    untranslated = [m.id for m in vi if m.id and not all(_strings(m))]
    fuzzy = [m.id for m in vi if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    not_nfc = [s for m in vi if m.id for s in _strings(m)
               if not unicodedata.is_normalized("NFC", s)]
    assert not_nfc == []


BRACE = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")
QT_ARG = re.compile(r"%\d")


def test_vietnamese_keeps_every_placeholder_and_mnemonic():
    vi = _read(I18N / "vi" / "LC_MESSAGES" / "fieldapp.po")
    problems = []
    for m in vi:
        if not m.id:
            continue
        source = _ids(m)[-1]
        for text in _strings(m):
            if sorted(BRACE.findall(source)) != sorted(BRACE.findall(text)):
                problems.append((m.id, text, "placeholders"))
            if sorted(QT_ARG.findall(source)) != sorted(QT_ARG.findall(text)):
                problems.append((m.id, text, "Qt %n arguments"))
            if ("&" in source.replace("&&", "")) != ("&" in text.replace("&&", "")):
                problems.append((m.id, text, "keyboard mnemonic (&)"))
    assert problems == []


def test_vietnamese_uses_the_agreed_terms():
    vi = {m.id: m.string for m in _read(I18N / "vi" / "LC_MESSAGES" / "fieldapp.po")
          if m.id and m.context is None}
    assert vi["Households"] == "Hộ gia đình"
    assert vi["Village"] == "Thôn/bản"
    assert vi["Settings"] == "Cài đặt"


def test_english_catalog_falls_back_to_the_source():
    """Empty msgstrs mean "show the English msgid"; nothing half-reviewed is left in it."""
    en = _read(I18N / "en" / "LC_MESSAGES" / "fieldapp.po")
    assert en.locale.language == "en"
    assert [m.id for m in en if m.id and m.fuzzy] == []
