"""The shipped label packs: every shipped form fully covered, msgfmt -c clean, honest status."""

import re
import shutil
import subprocess
import unicodedata

import pytest

from fieldapp import paths
from fieldapp.i18n.packs import PACK_LANGUAGES, PackCatalog, iter_pack_files, shipped_packs_dir
from fieldapp.services import packs as svc
from fieldapp.services.forms import discover_forms

# ------------------------------------------------------------------------------------------
# The shipped packs
# ------------------------------------------------------------------------------------------

SHIPPED = sorted(p for _lang, _form, p in iter_pack_files(shipped_packs_dir()))


def test_packs_are_shipped_for_each_language():
    langs = {lang for lang, _f, _p in iter_pack_files(shipped_packs_dir())}
    assert langs == set(PACK_LANGUAGES)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU msgfmt not installed")
@pytest.mark.parametrize("po", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_pack_passes_msgfmt_check(po):
    run = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("po", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_pack_headers_and_review_status(po):
    pack = PackCatalog.load(po)
    assert pack.language == po.parent.name
    for header in ("X-Script", "X-Translator", "X-Sources", "X-Review-Status"):
        assert pack.headers.get(header), header
    assert "not reviewed by a native speaker" in pack.headers["X-Review-Status"]
    # Nothing is marked reviewed until a native speaker has reviewed it.
    assert all(e.fuzzy for e in pack.entries.values() if e.msgstr)


def test_shipped_packs_cover_shipped_forms_completely():
    lines, code = svc.run_coverage()
    assert code == 0, "\n".join(lines)
    forms = [f for _p, f in discover_forms([paths.forms_dir()])]
    assert len(lines) >= len(forms) * len(PACK_LANGUAGES)


@pytest.mark.parametrize("po", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_translations_keep_references_and_script(po):
    for entry in PackCatalog.load(po).entries.values():
        if not entry.msgstr:
            continue
        assert sorted(re.findall(r"\$\{[^}]*\}", entry.msgstr)) == \
            sorted(re.findall(r"\$\{[^}]*\}", entry.msgid)), entry.key
        if po.parent.name == "ium":
            # Iu Mien unified script: plain ASCII (Vietnamese loanwords and names may keep
            # their Vietnamese spelling; those entries carry a translator comment).
            if not entry.msgstr.isascii():
                assert entry.translator_comments, entry.key
        else:
            # Tày-Nùng orthography: Vietnamese letters and tone marks plus f, j, w, z only.
            for ch in entry.msgstr:
                if ch.isalpha():
                    base = unicodedata.normalize("NFD", ch)[0]
                    assert base.isascii() or base in "đĐ", (entry.key, ch)
