"""Pack tools: coverage counts, update (msgmerge semantics), import validation, shipped packs."""

import shutil
from pathlib import Path

import pytest

from fieldapp import paths
from fieldapp.i18n.packs import PackCatalog, form_texts, iter_pack_files
from fieldapp.i18n.pofile import read_po_file
from fieldapp.services import pack_import
from fieldapp.services import packs as svc
from fieldapp.services.forms import load_form_file

MINI_FORM = """\
| survey |                   |       |                        |                     |                       |                        |                                     |          |                                   |
|        | type              | name  | label::Vietnamese (vi) | label::English (en) | hint::Vietnamese (vi) | constraint             | constraint_message::Vietnamese (vi) | required | required_message::Vietnamese (vi) |
|        | begin_group       | hh    | Hộ gia đình            | Household           |                       |                        |                                     |          |                                   |
|        | text              | name  | Họ và tên              | Full name           | Ghi đầy đủ họ tên.    | string-length(.) <= 50 | Tối đa 50 ký tự.                    | yes      | Vui lòng trả lời câu hỏi này.     |
|        | select_one yes_no | phone | Có điện thoại không?   | Has a phone?        |                       |                        |                                     |          |                                   |
|        | end_group         |       |                        |                     |                       |                        |                                     |          |                                   |
| choices |           |      |                        |                     |
|         | list_name | name | label::Vietnamese (vi) | label::English (en) |
|         | yes_no    | yes  | Có                     | Yes                 |
|         | yes_no    | no   | Không                  | No                  |
| settings |            |         |         |                  |
|          | form_title | form_id | version | default_language |
|          | Phiếu nhỏ  | mini    | 1       | Vietnamese (vi)  |
"""
MINI_KEYS = 9  # title, group label, 4 texts of name, phone label, 2 choices


def _form(tmp_path, text=MINI_FORM, name="mini.md"):
    folder = tmp_path / "forms"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return load_form_file(folder / name)


def _fill(path: Path, translations: dict[str, str], fuzzy_keys=(), comment=None):
    """Translate entries of a pack file by key (the way a translator would in Poedit)."""
    from fieldapp.i18n.pofile import write_po_atomic

    catalog = read_po_file(path)
    for message in catalog:
        if message.context in translations:
            message.string = translations[message.context]
            if message.context in fuzzy_keys:
                message.flags.add("fuzzy")
            else:
                message.flags.discard("fuzzy")
            if comment:
                message.user_comments = [comment]
    write_po_atomic(catalog, path)


@pytest.fixture
def mini(tmp_path):
    return _form(tmp_path)


@pytest.fixture
def base(tmp_path, mini):
    b = tmp_path / "packs"
    (b / "tyz").mkdir(parents=True)
    svc.update_packs([mini], b)
    return b


def test_update_creates_untranslated_pack_with_headers(base, mini):
    pack = PackCatalog.load(base / "tyz" / "mini.po")
    assert pack.language == "tyz" and pack.form_id == "mini"
    assert len(pack.entries) == MINI_KEYS
    assert all(not e.msgstr for e in pack.entries.values())
    assert "not reviewed by a native speaker" in pack.headers["X-Review-Status"]
    assert pack.headers["Plural-Forms"] == "nplurals=1; plural=0;"


def test_coverage_counts_on_fixture_form(base, mini):
    path = base / "tyz" / "mini.po"
    _fill(path, {"mini:hh:label": "Rườn", "mini:hh/name:label": "Chư",
                 "mini:choices/yes_no/yes:label": "Mì"}, fuzzy_keys={"mini:hh/name:label"})
    [row] = svc.coverage([mini], {("tyz", "mini"): PackCatalog.load(path)})
    assert (row.total, row.reviewed, row.draft, row.missing) == (9, 2, 1, 6)
    [none] = svc.coverage([mini], {("tyz", "mini"): None})
    assert (none.total, none.shown, none.missing) == (9, 0, 9)
    line = svc.format_coverage([row])[0]
    assert "reviewed 2, draft 1, missing 6" in line and "translated" not in line


def test_coverage_of_an_inheriting_pack(base, mini):
    """Nùng holds only what differs from Tày; the rest is shown from the Tày pack."""
    _fill(base / "tyz" / "mini.po", {"mini:hh:label": "Rườn", "mini:hh/name:label": "Chư"},
          fuzzy_keys={"mini:hh:label", "mini:hh/name:label"})
    svc.update_packs([mini], base, ["nut"])
    nut = PackCatalog.load(base / "nut" / "mini.po")
    assert nut.entries == {}  # sparse: no empty entries to copy Tày into
    chain = PackCatalog.load(base / "nut" / "mini.po")
    chain.add_fallback(PackCatalog.load(base / "tyz" / "mini.po"))
    [row] = svc.coverage([mini], {("nut", "mini"): chain})
    assert (row.reviewed, row.draft, row.inherited, row.missing, row.parent) == (0, 0, 2, 7, "tyz")
    lines, _code = svc.run_coverage(forms_dir=base.parent / "forms", shipped=base,
                                    imported=base.parent / "none")
    assert any(line.startswith("nut mini") and "2 inherited from tyz" in line for line in lines)


def test_run_coverage_exit_code(tmp_path, base, mini):
    forms_dir = tmp_path / "forms"
    # Missing texts are reported (the form shows them in Vietnamese), not a failure.
    lines, code = svc.run_coverage(forms_dir=forms_dir, shipped=base, imported=tmp_path / "none")
    assert code == 0 and "missing 9" in lines[0]
    everything = {t.key: "x" + t.source for t in form_texts(mini)}
    _fill(base / "tyz" / "mini.po", everything, fuzzy_keys=set(everything))
    lines, code = svc.run_coverage(forms_dir=forms_dir, shipped=base, imported=tmp_path / "none")
    assert code == 0 and "draft 9" in lines[0]
    # A pack not updated after its form changed fails: run fieldapp i18n update.
    po = base / "tyz" / "mini.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "Có"', 'msgid "Có chứ"'),
                  encoding="utf-8")
    lines, code = svc.run_coverage(forms_dir=forms_dir, shipped=base, imported=tmp_path / "none")
    assert code == 1 and "older text" in lines[0]


def test_a_reviewed_entry_contradicting_the_glossary_is_reported(tmp_path, base, mini):
    forms_dir = tmp_path / "forms"
    _fill(base / "tyz" / "mini.po", {"mini:hh:label": "Rườn"})  # reviewed
    glossary = base / "tyz" / "glossary.po"
    glossary.write_text(
        'msgid ""\nmsgstr ""\n"Language: tyz\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgctxt "glossary:household"\nmsgid "hộ"\nmsgstr "rườn"\n\n'
        'msgctxt "glossary:family"\nmsgid "gia đình"\nmsgstr "pỉ noọng"\n', encoding="utf-8")
    lines, code = svc.run_coverage(forms_dir=forms_dir, shipped=base, imported=tmp_path / "none")
    assert "tyz glossary: 2 terms: reviewed 2, draft 0, missing 0" in lines
    # "Hộ gia đình" -> "Rườn": uses rườn for hộ, but not pỉ noọng for gia đình.
    assert code == 1
    assert [line for line in lines if "glossary's" in line] == [
        "tyz mini:hh:label: uses “gia đình” but not the glossary's “pỉ noọng”"]
    assert PackCatalog.load(base / "tyz" / "mini.po").form_id == "mini"
    assert "glossary" not in {form for _l, form, _p in iter_pack_files(base)}


def test_update_semantics_new_changed_removed(tmp_path, base):
    path = base / "tyz" / "mini.po"
    _fill(path, {"mini:hh:label": "Rườn", "mini:hh/phone:label": "Mì điện thoại bấu?",
                 "mini:hh/name:label": "Chư"}, comment="checked by Mrs Hoàng")
    changed_form = MINI_FORM.replace("Có điện thoại không?", "Có điện thoại di động không?")
    changed_form = changed_form.replace(
        "|        | end_group         |       |",
        "|        | integer           | age   | Tuổi                   | Age                 |"
        "                       |                        |                                     |"
        "          |                                   |\n"
        "|        | end_group         |       |", 1)
    changed_form = changed_form.replace("| Ghi đầy đủ họ tên.    |", "|                       |")
    changed_form = changed_form.replace("Hộ gia đình            | Household", "Hộ                     | Household")
    form2 = _form(tmp_path, changed_form, "mini2.md")
    [res] = svc.update_packs([form2], base)
    assert res.written and (res.added, res.changed) == (1, 2)
    catalog = read_po_file(path)
    by_key = {m.context: m for m in catalog if m.id}

    new = by_key["mini:hh/age:label"]
    assert new.id == "Tuổi" and new.string == "" and not new.fuzzy

    changed = by_key["mini:hh/phone:label"]
    assert changed.id == "Có điện thoại di động không?"
    assert changed.string == "Mì điện thoại bấu?" and changed.fuzzy
    assert changed.previous_id == ["Có điện thoại không?"]
    assert changed.user_comments == ["checked by Mrs Hoàng"]

    kept = by_key["mini:hh/name:label"]
    assert kept.string == "Chư" and not kept.fuzzy

    assert "mini:hh/name:hint" not in by_key  # removed from the form: no longer active
    assert not any(m.context == "mini:hh/name:hint" for m in catalog.obsolete.values())  # was empty
    assert "nplurals=1; plural=0;" in path.read_text(encoding="utf-8")

    # A translated entry removed from the form is kept as obsolete, and a second update is a no-op.
    _fill(path, {"mini:hh/age:label": "Pi"})
    form3 = _form(tmp_path, MINI_FORM, "mini3.md")  # 'age' gone again
    svc.update_packs([form3], base)
    catalog = read_po_file(path)
    assert any(m.context == "mini:hh/age:label" and m.string == "Pi"
               for m in catalog.obsolete.values())
    before = path.read_bytes()
    [again] = svc.update_packs([form3], base)
    assert not again.written and path.read_bytes() == before


def test_changed_text_does_not_borrow_another_fields_translation(tmp_path, base):
    path = base / "tyz" / "mini.po"
    _fill(path, {"mini:hh/name:constraint_message": "Tối đa 50 chữ."})
    form2 = _form(tmp_path, MINI_FORM.replace(
        "|        | end_group         |       |",
        "|        | text              | note2 | Tối đa 60 ký tự.       | At most 60          |"
        "                       |                        |                                     |"
        "          |                                   |\n"
        "|        | end_group         |       |", 1), "mini2.md")
    svc.update_packs([form2], base)
    by_key = {m.context: m for m in read_po_file(path) if m.id}
    assert by_key["mini:hh/note2:label"].string == ""


# ------------------------------------------------------------------------------------------
# Import
# ------------------------------------------------------------------------------------------

@pytest.fixture
def good_pack(tmp_path, base, mini):
    everything = {t.key: "Tày " + t.source for t in form_texts(mini)}
    _fill(base / "tyz" / "mini.po", everything, fuzzy_keys=set(everything))
    copy = tmp_path / "edited.po"
    shutil.copy(base / "tyz" / "mini.po", copy)
    return copy


def test_valid_import_is_installed_and_overrides(tmp_path, good_pack, mini):
    imported = tmp_path / "data" / "packs"
    result = pack_import.import_pack(good_pack, [mini], "tyz", imported=imported)
    assert result.path == imported / "tyz" / "mini.po" and not result.replaced
    assert result.coverage.shown == MINI_KEYS and result.coverage.reviewed == 0
    assert result.warnings == ()  # the file says its script
    assert PackCatalog.load(result.path).get("mini:hh:label").msgstr == "Tày Hộ gia đình"
    again = pack_import.import_pack(good_pack, [mini], imported=imported)
    assert again.replaced


def test_import_goes_to_the_data_folder_by_default(good_pack, mini):
    result = pack_import.import_pack(good_pack, [mini], "tyz")
    assert result.path == paths.data_dir() / "packs" / "tyz" / "mini.po"


def _install_current(tmp_path, good_pack, mini):
    imported = tmp_path / "data" / "packs"
    current = pack_import.import_pack(good_pack, [mini], "tyz", imported=imported).path
    return imported, current, current.read_bytes()


BROKEN_EDITS = {
    "syntax": lambda t: t.replace('msgstr "Tày Hộ gia đình"', 'msgstr "Tày Hộ gia đình'),
    "latin1": None,
    "unknown_key": lambda t: t.replace('msgctxt "mini:hh:label"', 'msgctxt "mini:hh/nope:label"'),
    "msgid_mismatch": lambda t: t.replace('msgid "Hộ gia đình"', 'msgid "Hộ gia đình cũ"'),
    "unknown_form": lambda t: t.replace('"mini:', '"other:').replace("X-Form-Id: mini", "X-Form-Id: other"),
    "no_language": lambda t: t.replace('"Language: tyz\\n"\n', ""),
    "lost_reference": None,
    "duplicate_key": lambda t: t + '\nmsgctxt "mini:hh:label"\nmsgid "Hộ gia đình"\nmsgstr "Rườn"\n',
    "plural": lambda t: t.replace('msgid "Có"\nmsgstr "Tày Có"',
                                  'msgid "Có"\nmsgid_plural "Có"\nmsgstr[0] "Tày Có"'),
    "empty": lambda t: t.split("\n\n")[0] + "\n",
}


@pytest.mark.parametrize("kind", sorted(BROKEN_EDITS))
def test_broken_import_is_refused_and_current_pack_intact(tmp_path, good_pack, mini, kind):
    imported, current, before = _install_current(tmp_path, good_pack, mini)
    text = good_pack.read_text(encoding="utf-8")
    bad = tmp_path / "bad.po"
    if kind == "latin1":
        bad.write_bytes(text.encode("utf-8").replace("Tày".encode("utf-8"), "Tày".encode("latin-1")))
    elif kind == "lost_reference":
        form = _form(tmp_path, MINI_FORM.replace("| Hộ gia đình            |",
                                                 "| Hộ của ${name}         |"), "ref.md")
        (tmp_path / "refpacks" / "tyz").mkdir(parents=True)
        svc.update_packs([form], tmp_path / "refpacks")
        _fill(tmp_path / "refpacks" / "tyz" / "mini.po", {"mini:hh:label": "Rườn cúa ${nam}"})
        bad.write_bytes((tmp_path / "refpacks" / "tyz" / "mini.po").read_bytes())
        mini = form
    else:
        bad.write_text(BROKEN_EDITS[kind](text), encoding="utf-8")
    with pytest.raises(pack_import.PackImportError) as info:
        pack_import.import_pack(bad, [mini], "tyz", imported=imported)
    assert "bad.po" in str(info.value) and "unchanged" in str(info.value)
    assert current.read_bytes() == before
    assert sorted(p.name for p in current.parent.iterdir()) == ["mini.po"]  # no temp file left


def test_wrong_language_refused(tmp_path, good_pack, mini):
    imported, current, before = _install_current(tmp_path, good_pack, mini)
    with pytest.raises(pack_import.PackImportError, match="not \"nut\""):
        pack_import.import_pack(good_pack, [mini], "nut", imported=imported)
    assert current.read_bytes() == before
    assert not (imported / "nut").exists()


def test_remove_imported_pack(tmp_path, good_pack, mini):
    imported, current, _before = _install_current(tmp_path, good_pack, mini)
    assert pack_import.remove_imported_pack("tyz", "mini", imported=imported)
    assert not current.exists()
    assert not pack_import.remove_imported_pack("tyz", "mini", imported=imported)


def test_update_without_form_change_leaves_translated_files_untouched(tmp_path, good_pack, base, mini):
    path = base / "tyz" / "mini.po"
    catalog = read_po_file(path)
    catalog.set_header("X-Sources", "a glossary")  # headers written after the form headers
    from fieldapp.i18n.pofile import write_po_atomic

    write_po_atomic(catalog, path)
    before = path.read_bytes()
    [result] = svc.update_packs([mini], base)
    assert not result.written and path.read_bytes() == before


def test_a_pack_without_a_known_script_is_imported_with_a_warning(tmp_path, good_pack, mini):
    imported = tmp_path / "data" / "packs"
    text = good_pack.read_text(encoding="utf-8")
    assert '"X-Script: tay-nung-1961\\n"' in text
    for header, shown in (("", "does not say which script"), ("X-Script: Klingon\\n", "Klingon")):
        edited = tmp_path / "edited-script.po"
        edited.write_text(text.replace('"X-Script: tay-nung-1961\\n"', f'"{header}"'),
                          encoding="utf-8")
        result = pack_import.import_pack(edited, [mini], imported=imported)
        assert result.language == "tyz" and result.path == imported / "tyz" / "mini.po"
        assert len(result.warnings) == 1 and shown in result.warnings[0], result.warnings
        assert PackCatalog.load(result.path).headers["X-Script"] == "tay-nung-1961"


def test_a_pack_in_a_second_script_is_its_own_pack(tmp_path, good_pack, mini):
    """Dao in the Vietnamese-based spelling is not the unified-script Dao pack, and does not
    fall back to it: its readers may not read that script."""
    imported = tmp_path / "data" / "packs"
    text = good_pack.read_text(encoding="utf-8").replace('"Language: tyz\\n"', '"Language: ium\\n"')
    dao = tmp_path / "dao.po"
    dao.write_text(text.replace('"X-Script: tay-nung-1961\\n"', '"X-Script: dao-vn\\n"'),
                   encoding="utf-8")
    result = pack_import.import_pack(dao, [mini], imported=imported)
    assert result.language == "ium@dao-vn" and result.warnings == ()
    assert result.path == imported / "ium@dao-vn" / "mini.po"
    from fieldapp.i18n.packs import available_languages, load_pack, pack_language_name

    assert "ium@dao-vn" in available_languages(tmp_path / "no-shipped", imported)
    assert load_pack("ium@dao-vn", "mini", shipped=tmp_path / "no-shipped",
                     imported=imported).fallback is None
    assert pack_language_name("ium@dao-vn") == "Dao (Iu Mien), Vietnamese-based Latin spelling"
