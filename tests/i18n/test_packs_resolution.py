"""Label packs: key convention, reading/writing without CLDR data, and the resolution chain."""

import unicodedata

import pytest

from fieldapp.i18n import packs
from fieldapp.i18n.packs import PackCatalog, form_texts, pack_key, split_key
from fieldapp.i18n.pofile import PackFormatError, parse_po, po_bytes
from fieldapp.i18n.resolution import DisplayMode, LabelResolver, Source
from fieldapp.services.forms import load_form_file

MINI_FORM = """\
| survey |                   |       |                        |                     |                    |                       |                        |                                     |          |                                   |
|        | type              | name  | label::Vietnamese (vi) | label::English (en) | label::Tày (tyz)   | hint::Vietnamese (vi) | constraint             | constraint_message::Vietnamese (vi) | required | required_message::Vietnamese (vi) |
|        | begin_group       | hh    | Hộ gia đình            | Household           |                    |                       |                        |                                     |          |                                   |
|        | text              | name  | Họ và tên              | Full name           |                    | Ghi đầy đủ họ tên.    | string-length(.) <= 50 | Tối đa 50 ký tự.                    | yes      | Vui lòng trả lời câu hỏi này.     |
|        | begin_repeat      | kids  | Con: ${kid_name}       | Child: ${kid_name}  |                    |                       |                        |                                     |          |                                   |
|        | text              | kid_name | Tên con             | Child's name        |                    |                       |                        |                                     |          |                                   |
|        | end_repeat        |       |                        |                     |                    |                       |                        |                                     |          |                                   |
|        | select_one yes_no | phone | Có điện thoại không?   | Has a phone?        | Mì điện thoại bấu? |                       |                        |                                     |          |                                   |
|        | end_group         |       |                        |                     |                    |                       |                        |                                     |          |                                   |
| choices |           |      |                        |                     |                  |
|         | list_name | name | label::Vietnamese (vi) | label::English (en) | label::Tày (tyz) |
|         | yes_no    | yes  | Có                     | Yes                 |                  |
|         | yes_no    | no   | Không                  | No                  |                  |
| settings |            |         |         |                  |
|          | form_title | form_id | version | default_language |
|          | Phiếu nhỏ  | mini    | 1       | Vietnamese (vi)  |
"""

PACK_PO = """\
# Test pack
msgid ""
msgstr ""
"Project-Id-Version: fieldapp mini\\n"
"Language: tyz\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"X-Script: Tày-Nùng Latin orthography (1961)\\n"
"X-Form-Id: mini\\n"

# reviewed by a native speaker
msgctxt "mini:hh:label"
msgid "Hộ gia đình"
msgstr "Rườn"

#, fuzzy
msgctxt "mini:hh/name:label"
msgid "Họ và tên"
msgstr "Slịnh chư"

msgctxt "mini:hh/name:hint"
msgid "Một câu cũ đã đổi."
msgstr "Câu cáu"

msgctxt "mini:choices/yes_no/yes:label"
msgid "Có"
msgstr "Mì"

msgctxt "mini:choices/yes_no/no:label"
msgid "Không"
msgstr ""
"""


@pytest.fixture
def mini_form(tmp_path):
    path = tmp_path / "mini.md"
    path.write_text(MINI_FORM, encoding="utf-8")
    return load_form_file(path)


@pytest.fixture
def mini_pack():
    return PackCatalog.from_babel(parse_po(PACK_PO.encode("utf-8"), "mini.po"))


def test_key_convention_round_trips():
    key = pack_key("household_survey", "members/devices/smartphone", "hint")
    assert key == "household_survey:members/devices/smartphone:hint"
    assert split_key(key) == ("household_survey", "members/devices/smartphone", "hint")
    assert split_key("no key here") is None
    assert split_key("a::label") is None


def test_form_texts_cover_every_text_cell_with_paths(mini_form):
    keys = [t.key for t in form_texts(mini_form)]
    assert keys == [
        "mini:settings:form_title",
        "mini:hh:label",
        "mini:hh/name:label",
        "mini:hh/name:hint",
        "mini:hh/name:constraint_message",
        "mini:hh/name:required_message",
        "mini:hh/kids:label",
        "mini:hh/kids/kid_name:label",
        "mini:hh/phone:label",
        "mini:choices/yes_no/yes:label",
        "mini:choices/yes_no/no:label",
    ]
    by_key = {t.key: t for t in form_texts(mini_form)}
    assert by_key["mini:hh/phone:label"].texts["tyz"] == "Mì điện thoại bấu?"
    assert by_key["mini:hh/name:label"].source == "Họ và tên"


def test_shipped_forms_have_unique_keys():
    from fieldapp import paths
    from fieldapp.services.forms import discover_forms

    for path, form in discover_forms([paths.forms_dir()]):
        assert not isinstance(form, list), path
        keys = [t.key for t in form_texts(form)]
        assert len(keys) == len(set(keys)), path
        assert all(split_key(k)[0] == form.form_id for k in keys)


def test_reading_a_pack_keeps_headers_babel_would_drop(mini_pack):
    assert mini_pack.language == "tyz"
    assert mini_pack.form_id == "mini"
    assert mini_pack.headers["X-Script"] == "Tày-Nùng Latin orthography (1961)"
    out = po_bytes(parse_po(PACK_PO.encode("utf-8"))).decode("utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in out
    assert '"X-Script: Tày-Nùng Latin orthography (1961)\\n"' in out
    assert '"Language: tyz\\n"' in out


def test_parse_refuses_non_utf8_and_broken_syntax():
    with pytest.raises(PackFormatError, match="UTF-8"):
        parse_po(PACK_PO.encode("utf-8").replace("Rườn".encode(), b"R\xf0\x28n"), "x.po")
    with pytest.raises(PackFormatError, match="not a valid .po"):
        parse_po(b'msgid "a"\nmsgstr "b\nmsgid', "x.po")
    latin1 = PACK_PO.replace("charset=UTF-8", "charset=ISO-8859-1").encode("utf-8")
    with pytest.raises(PackFormatError, match="ISO-8859-1"):
        parse_po(latin1, "x.po")


def test_parse_normalises_decomposed_text_to_nfc():
    nfd = unicodedata.normalize("NFD", PACK_PO)
    pack = PackCatalog.from_babel(parse_po(nfd.encode("utf-8")))
    entry = pack.get("mini:hh:label")
    assert entry.msgid == "Hộ gia đình" and entry.msgstr == "Rườn"


def test_fallback_chain_pack_then_inline_column_then_vietnamese(mini_form, mini_pack):
    r = LabelResolver("mini", "tyz", mini_pack)
    by_key = {t.key: t for t in form_texts(mini_form)}

    reviewed = r.resolve("hh", "label", by_key["mini:hh:label"].texts)
    assert (reviewed.text, reviewed.lang_used, reviewed.fell_back, reviewed.fuzzy) == \
        ("Rườn", "tyz", False, False)
    assert reviewed.source is Source.PACK and reviewed.vietnamese == "Hộ gia đình"

    inline = r.resolve_node(mini_form.nodes["phone"])
    assert (inline.text, inline.source, inline.fell_back) == \
        ("Mì điện thoại bấu?", Source.FORM_COLUMN, False)

    untranslated = r.resolve_choice("yes_no", mini_form.choice_lists["yes_no"].by_name("no"))
    assert (untranslated.text, untranslated.lang_used, untranslated.fell_back) == \
        ("Không", "vi", True)
    assert untranslated.status_text()  # a visible mark for the UI

    title = r.resolve_title(mini_form)
    assert title.fell_back and title.text == "Phiếu nhỏ"


def test_pack_entry_wins_over_inline_column(mini_form, mini_pack):
    texts = {"vi": "Có", "tyz": "Mì (cột)"}
    assert LabelResolver("mini", "tyz", mini_pack).resolve(
        "choices/yes_no/yes", "label", texts).text == "Mì"
    assert LabelResolver("mini", "tyz", None).resolve(
        "choices/yes_no/yes", "label", texts).text == "Mì (cột)"


def test_fuzzy_entries_are_shown_and_flagged(mini_form, mini_pack):
    r = LabelResolver("mini", "tyz", mini_pack).resolve_node(mini_form.nodes["name"])
    assert r.text == "Slịnh chư" and r.fuzzy and not r.fell_back
    assert r.status_text()


def test_entry_for_an_older_vietnamese_text_is_shown_as_stale_fuzzy(mini_form, mini_pack):
    r = LabelResolver("mini", "tyz", mini_pack).resolve_node(mini_form.nodes["name"], "hint")
    assert r.text == "Câu cáu" and r.fuzzy and r.stale and r.vietnamese == "Ghi đầy đủ họ tên."


def test_no_pack_chosen_means_vietnamese_without_mark(mini_form):
    r = LabelResolver("mini", None).resolve_node(mini_form.nodes["phone"])
    assert (r.text, r.lang_used, r.fell_back, r.fuzzy) == ("Có điện thoại không?", "vi", False, False)
    assert r.status_text() == ""


def test_display_modes(mini_form, mini_pack):
    r = LabelResolver("mini", "tyz", mini_pack).resolve_node(mini_form.nodes["hh"])
    assert r.lines(DisplayMode.BILINGUAL) == ("Rườn", "Hộ gia đình")
    assert r.lines(DisplayMode.PACK_ONLY) == ("Rườn", None)
    assert r.lines(DisplayMode.VIETNAMESE_ONLY) == ("Hộ gia đình", None)
    fell = LabelResolver("mini", "tyz", mini_pack).resolve("hh/kids", "label", {"vi": "Con"})
    assert fell.lines(DisplayMode.BILINGUAL) == ("Con", None)


def test_imported_pack_overrides_shipped(tmp_path, mini_form):
    shipped, imported = tmp_path / "shipped", tmp_path / "imported"
    for base, word in ((shipped, "Rườn"), (imported, "Rườn xã")):
        (base / "tyz").mkdir(parents=True)
        (base / "tyz" / "mini.po").write_text(PACK_PO.replace('"Rườn"', f'"{word}"'),
                                               encoding="utf-8")
    r = LabelResolver.for_form(mini_form, "tyz", shipped=shipped, imported=imported)
    assert r.resolve_node(mini_form.nodes["hh"]).text == "Rườn xã"
    (imported / "tyz" / "mini.po").unlink()
    r = LabelResolver.for_form(mini_form, "tyz", shipped=shipped, imported=imported)
    assert r.resolve_node(mini_form.nodes["hh"]).text == "Rườn"
    assert packs.available_languages(shipped, imported) == ["tyz"]


def test_imported_pack_falls_back_to_shipped_entry_by_entry(tmp_path, mini_form):
    shipped, imported = tmp_path / "shipped", tmp_path / "imported"
    (shipped / "tyz").mkdir(parents=True)
    (shipped / "tyz" / "mini.po").write_text(PACK_PO, encoding="utf-8")
    (imported / "tyz").mkdir(parents=True)
    partial = PACK_PO.replace('msgstr "Rườn"', 'msgstr ""').replace('msgstr "Mì"', 'msgstr "Mì xã"')
    (imported / "tyz" / "mini.po").write_text(partial, encoding="utf-8")
    r = LabelResolver.for_form(mini_form, "tyz", shipped=shipped, imported=imported)
    assert r.resolve_node(mini_form.nodes["hh"]).text == "Rườn"  # imported leaves it empty
    yes = mini_form.choice_lists["yes_no"].by_name("yes")
    assert r.resolve_choice("yes_no", yes).text == "Mì xã"


def test_changed_pack_file_is_read_again(tmp_path, mini_form):
    import os

    shipped = tmp_path / "shipped"
    (shipped / "tyz").mkdir(parents=True)
    path = shipped / "tyz" / "mini.po"
    path.write_text(PACK_PO, encoding="utf-8")
    first = LabelResolver.for_form(mini_form, "tyz", shipped=shipped, imported=tmp_path / "none")
    assert first.resolve_node(mini_form.nodes["hh"]).text == "Rườn"
    path.write_text(PACK_PO.replace('"Rườn"', '"Rườn mấư"'), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different stamp even on a coarse-clock file system
    again = LabelResolver.for_form(mini_form, "tyz", shipped=shipped, imported=tmp_path / "none")
    assert again.resolve_node(mini_form.nodes["hh"]).text == "Rườn mấư"


@pytest.mark.parametrize("language", sorted(packs.PACK_LANGUAGES) + ["mji"])
def test_pack_languages_format_dates_and_numbers_as_vi_vn(language):
    import datetime as dt

    from fieldapp.i18n import formatting

    assert str(formatting.babel_locale(language)) == "vi_VN"
    assert formatting.format_number(1234567.891, language=language) == "1.234.567,891"
    assert formatting.format_date(dt.date(2026, 3, 5), language=language) == "5/3/26"
