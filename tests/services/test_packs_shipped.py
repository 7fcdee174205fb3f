"""The shipped label packs: current with the shipped forms, msgfmt -c clean, honest status:
drafts are fuzzy, Nùng inherits from Tày instead of copying it, every pack names its script,
and the glossaries claim no review nobody made."""

import re
import shutil
import subprocess
import unicodedata

import pytest

from fieldapp import paths
from fieldapp.i18n.glossary import load_glossary
from fieldapp.i18n.pack_languages import SCRIPTS
from fieldapp.i18n.packs import PACK_LANGUAGES, PackCatalog, iter_pack_files, shipped_packs_dir
from fieldapp.services import packs as svc
from fieldapp.services.forms import discover_forms

# ------------------------------------------------------------------------------------------
# The shipped packs
# ------------------------------------------------------------------------------------------

SHIPPED = sorted(p for _lang, _form, p in iter_pack_files(shipped_packs_dir()))
CATALOGS = sorted(shipped_packs_dir().glob("*/*.po"))  # form packs and glossaries


def test_packs_are_shipped_for_each_language():
    langs = {lang for lang, _f, _p in iter_pack_files(shipped_packs_dir())}
    assert langs == set(PACK_LANGUAGES)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU msgfmt not installed")
@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_pack_passes_msgfmt_check(po):
    run = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("po", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_pack_headers_and_review_status(po):
    pack = PackCatalog.load(po)
    assert pack.language == po.parent.name
    language = PACK_LANGUAGES[pack.language]
    assert pack.headers["X-Script"] == language.script and language.script in SCRIPTS
    if language.parent:
        # Nùng inherits from Tày: it holds only what differs, and nothing differs yet.
        assert pack.headers["X-Inherits"] == language.parent
        assert pack.entries == {}
        assert "differs from the Tày pack" in pack.headers["X-Review-Status"]
        return
    for header in ("X-Translator", "X-Sources", "X-Review-Status"):
        assert pack.headers.get(header), header
    assert "not reviewed by a native speaker" in pack.headers["X-Review-Status"]
    # Nothing is marked reviewed until a native speaker has reviewed it.
    assert all(e.fuzzy for e in pack.entries.values() if e.msgstr)


def test_shipped_packs_are_current_with_the_shipped_forms():
    """Coverage passes: no pack was left behind by a form change. Texts nobody has written
    yet are missing (the form shows them in Vietnamese), never counted as translated."""
    lines, code = svc.run_coverage()
    assert code == 0, "\n".join(lines)
    forms = [f for _p, f in discover_forms([paths.forms_dir()])]
    rows = [line for line in lines if " glossary: " not in line]
    assert len(rows) >= len(forms) * len(PACK_LANGUAGES)
    assert not any("translated" in line for line in lines)
    nut = [line for line in lines if line.startswith("nut ")]
    assert len(nut) == len(forms) and all("inherited from tyz" in line for line in nut)


def test_mechanical_corrections_of_the_drafts():
    """Tày writes “nẩy” (this), not “nảy”; Iu Mien writes “koi” (open), not “khoi”."""
    for language, wrong in (("tyz", "nảy"), ("ium", "khoi")):
        for _lang, _form, po in iter_pack_files(shipped_packs_dir()):
            if _lang != language:
                continue
            for entry in PackCatalog.load(po).entries.values():
                assert not re.search(rf"(?<!\w){wrong}(?!\w)", entry.msgstr, re.IGNORECASE), \
                    entry.key


def test_glossaries_claim_no_review():
    for code in ("tyz", "ium", "ium@dao-vn"):
        glossary = load_glossary(code, imported=shipped_packs_dir() / "none")
        assert glossary is not None and 55 <= len(glossary.terms) <= 70, code
        assert glossary.reviewed == 0, code
        assert glossary.headers["X-Script"] in SCRIPTS
    # No orthography source for Dao in the Vietnamese-based spelling: nothing is invented.
    dao_vn = load_glossary("ium@dao-vn", imported=shipped_packs_dir() / "none")
    assert all(not t.translation for t in dao_vn.terms)
    assert not any(shipped_packs_dir().glob("ium@dao-vn/*_*.po"))


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
