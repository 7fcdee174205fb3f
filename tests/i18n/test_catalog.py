"""Interface catalogs at run time: switching languages, contexts, plurals, NFC, pseudo-locale."""

from __future__ import annotations

import gettext
import unicodedata

import pytest

from fieldapp.i18n import catalog, compile as catalog_compile
from fieldapp.i18n.catalog import N_, PseudoTranslations, _, ngettext, pgettext


def test_vietnamese_is_the_default_interface_language():
    assert catalog.DEFAULT_LANGUAGE == "vi"
    assert set(catalog.INTERFACE_LANGUAGES) == {"vi", "en"}


def test_switching_between_vietnamese_english_and_pseudo():
    catalog.set_language("vi")
    assert catalog.current_language() == "vi"
    assert _("Settings") == "Cài đặt"
    assert _("Households") == "Hộ gia đình"
    catalog.set_language("en")
    assert _("Settings") == "Settings"
    catalog.set_language("pseudo")
    assert _("Settings") == "⟦Settings⟧"
    catalog.set_language("vi")
    assert _("Settings") == "Cài đặt"


@pytest.mark.parametrize("language", ["tyz", "nut", "ium"])
def test_languages_without_an_interface_catalog_show_vietnamese(language):
    catalog.set_language(language)
    assert catalog.current_language() == language
    assert _("Settings") == "Cài đặt"
    assert pgettext("QPlatformTheme", "Cancel") == "Hủy"
    assert ngettext("{count} member", "{count} members", 2) == "{count} nhân khẩu"


def test_marked_code_labels_translate_when_shown():
    from fieldapp.core import codes

    label = codes.RELATIONS["head"]
    assert label == "Head of household"  # N_() only marks
    catalog.set_language("vi")
    assert _(label) == "Chủ hộ"
    assert _(codes.VILLAGE_KINDS["ban"]) == "bản"


def test_pgettext_uses_the_context():
    catalog.set_language("vi")
    # The same English word in Qt's button context and in a table's total row.
    assert pgettext("QPlatformTheme", "Cancel") == "Hủy"
    assert pgettext("table row", "Total") == "Tổng cộng"
    assert pgettext("no such context", "Total") == "Total"


def test_ngettext_vietnamese_has_one_form_english_two():
    catalog.set_language("vi")
    assert ngettext("{count} member", "{count} members", 1) == "{count} nhân khẩu"
    assert ngettext("{count} member", "{count} members", 5) == "{count} nhân khẩu"
    catalog.set_language("en")
    assert ngettext("{count} member", "{count} members", 1) == "{count} member"
    assert ngettext("{count} member", "{count} members", 5) == "{count} members"


def test_untranslated_strings_fall_back_to_the_english_source():
    catalog.set_language("vi")
    assert _("A string that is in no catalog") == "A string that is in no catalog"
    assert catalog.translated("A string that is in no catalog") is None
    assert catalog.translated("Settings") == "Cài đặt"
    assert catalog.translated("Cancel", "QPlatformTheme") == "Hủy"


def test_output_is_nfc_even_from_a_decomposed_catalog():
    class Decomposed(gettext.NullTranslations):
        def gettext(self, message):
            return unicodedata.normalize("NFD", "Hộ gia đình")

        def pgettext(self, context, message):
            return self.gettext(message)

        def ngettext(self, s, p, n):
            return self.gettext(s)

    catalog.install_translations(Decomposed(), "vi")
    for text in (_("Households"), pgettext("x", "Households"), ngettext("a", "b", 2)):
        assert text == "Hộ gia đình"
        assert unicodedata.is_normalized("NFC", text)


def test_listeners_hear_every_switch_and_can_leave():
    heard = []
    catalog.on_language_changed(heard.append)
    try:
        catalog.set_language("vi")
        catalog.set_language("en")
    finally:
        catalog.remove_listener(heard.append)
    catalog.set_language("vi")
    assert heard == ["vi", "en"]


def test_n_underscore_returns_its_argument_untranslated():
    catalog.set_language("vi")
    assert N_("Settings") == "Settings"


def test_pseudo_marks_only_catalogued_strings():
    pseudo = PseudoTranslations({(None, "Settings"), ("ctx", "Open"),
                                 (None, "{n} file"), (None, "{n} files")})
    assert pseudo.gettext("Settings") == "⟦Settings⟧"
    assert pseudo.gettext("Not in the catalog") == "Not in the catalog"
    assert pseudo.pgettext("ctx", "Open") == "⟦Open⟧"
    assert pseudo.pgettext("other", "Open") == "Open"
    assert pseudo.ngettext("{n} file", "{n} files", 1) == "{n}⟦ file⟧"
    assert pseudo.ngettext("{n} file", "{n} files", 2) == "{n}⟦ files⟧"


def test_pseudo_from_the_template_knows_every_extracted_string():
    pseudo = PseudoTranslations.from_template(catalog.template_path(), expand=0.5)
    assert pseudo.gettext("Settings") == "⟦Settings····⟧"
    assert pseudo.pgettext("QPlatformTheme", "OK") == "⟦OK·⟧"
    assert pseudo.gettext("{prog}: {message} (see {prog} --help)").count("{prog}") == 2


def test_pseudo_keeps_placeholders_outside_the_markers():
    pseudo = PseudoTranslations()
    marked = pseudo.gettext("Commune: {commune}")
    assert marked == "⟦Commune: ⟧{commune}"
    assert marked.format(commune="Xã Tân Thành") == "⟦Commune: ⟧Xã Tân Thành"
    assert pseudo.gettext("{label}:") == "{label}⟦:⟧"
    assert pseudo.pgettext("QFileDialog", "%1 already exists.") == "%1⟦ already exists.⟧"
    text = pseudo.gettext("{birth_year} ({age})").format(birth_year=1970, age=56)
    assert catalog.strip_pseudo_marked(text) == "197056"
    nested = pseudo.gettext("{label}:").format(label=pseudo.gettext("Phone"))
    assert catalog.strip_pseudo_marked(nested) == ""
    assert catalog.strip_pseudo_marked("Has smartphone⟦:⟧") == "Has smartphone"


def test_missing_catalog_falls_back_to_source_strings(tmp_path):
    catalog.set_language("vi", locale_dir=tmp_path)
    assert _("Settings") == "Settings"


def test_catalogs_compile_on_first_use_and_after_an_edit(tmp_path):
    po = tmp_path / "vi" / "LC_MESSAGES" / "fieldapp.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Settings"\nmsgstr "Cài đặt"\n', encoding="utf-8")
    catalog.set_language("vi", locale_dir=tmp_path)
    assert (po.parent / "fieldapp.mo").exists()
    assert _("Settings") == "Cài đặt"
    po.write_text(po.read_text(encoding="utf-8").replace("Cài đặt", "Thiết lập"), encoding="utf-8")
    mo = po.parent / "fieldapp.mo"
    import os
    os.utime(mo, (1, 1))  # older than the .po, as after editing the .po
    catalog.set_language("vi", locale_dir=tmp_path)
    assert _("Settings") == "Thiết lập"


def test_read_only_resources_compile_into_the_cache(tmp_path, monkeypatch):
    po = tmp_path / "res" / "vi" / "LC_MESSAGES" / "fieldapp.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Home"\nmsgstr "Trang chủ"\n', encoding="utf-8")
    cache = tmp_path / "cache"
    monkeypatch.setattr(catalog_compile.paths, "compiled_catalogs_dir", lambda: cache)
    real_compile = catalog_compile.compile_po

    def refuse_resource_dir(src, mo):
        if mo.is_relative_to(tmp_path / "res"):
            raise PermissionError(mo)
        real_compile(src, mo)

    monkeypatch.setattr(catalog_compile, "compile_po", refuse_resource_dir)
    assert catalog_compile.ensure_compiled("vi", tmp_path / "res") == cache
    catalog.set_language("vi", locale_dir=tmp_path / "res")
    assert _("Home") == "Trang chủ"


def test_nothing_writable_still_gives_the_translation(tmp_path, monkeypatch):
    po = tmp_path / "res" / "vi" / "LC_MESSAGES" / "fieldapp.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Home"\nmsgstr "Trang chủ"\n', encoding="utf-8")

    def refuse(src, mo):
        raise PermissionError(mo)

    monkeypatch.setattr(catalog_compile, "compile_po", refuse)
    assert catalog_compile.ensure_compiled("vi", tmp_path / "res") is None
    catalog.set_language("vi", locale_dir=tmp_path / "res")
    assert _("Home") == "Trang chủ"


def test_compile_all_writes_one_mo_per_interface_language(tmp_path):
    import shutil

    shutil.copytree(catalog.locale_dir() / "vi", tmp_path / "vi")
    shutil.copytree(catalog.locale_dir() / "en", tmp_path / "en")
    written = catalog_compile.compile_all(tmp_path)
    assert sorted(p.parent.parent.name for p in written) == ["en", "vi"]
    assert all(p.stat().st_size > 0 for p in written)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_compile_module_runs_as_the_setup_step(language, tmp_path, capsys):
    import shutil

    shutil.copytree(catalog.locale_dir() / language, tmp_path / language)
    assert catalog_compile.main([str(tmp_path)]) == 0
    assert (tmp_path / language / "LC_MESSAGES" / "fieldapp.mo").exists()
