"""Poedit round trip through the app's entries: export a pack as .po, edit it as Poedit would,
import it back as synced entries; a file with markup, a control character, a 5 MB translation
or letters of the other Dao spelling is refused whole, nothing stored changing; coverage with
the database's entries (Settings, ``fieldapp i18n coverage --db``)."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from fieldapp import cli
from fieldapp.i18n.pofile import read_po_file, write_po_atomic
from fieldapp.services.pack_import import PackImportError
from fieldapp.services.translate_po import coverage_lines, export_po, import_po, overview
from fieldapp.services.workspace import Workspace
from sync_world import new_commune

KEY = "household_survey:choices/contact/yes:label"
HINT = "household_survey:visit/consent:hint"


@pytest.fixture()
def workspace(tmp_path):
    return Workspace(new_commune(tmp_path / "c.db"), None)


def edit(path, changes: dict[str, tuple[str, bool]]):
    """Change entries as Poedit does: (text, fuzzy) by key (headers kept)."""
    catalog = read_po_file(path)
    for message in catalog:
        if message.context in changes:
            message.string, fuzzy = changes[message.context]
            if fuzzy:
                message.flags.add("fuzzy")
            else:
                message.flags.discard("fuzzy")
    write_po_atomic(catalog, path)


def test_export_edit_in_poedit_and_import_back(workspace, tmp_path):
    path = export_po(workspace, "tyz", "household_survey", tmp_path)
    assert path.name == "tyz-household_survey.po"
    text = path.read_text(encoding="utf-8")
    assert 'msgctxt "household_survey:visit/consent:label"' in text
    edit(path, {KEY: ("Ưng tỏ", False), HINT: ("Thám lăng", True)})
    result = import_po(workspace, path)
    assert (result.pack, result.form_id, result.changed) == ("tyz", "household_survey", 2)
    rows = {r.key: r for r in workspace.translations.rows("tyz", "household_survey")}
    assert (rows[KEY].text, rows[KEY].status, rows[KEY].origin) == ("Ưng tỏ", "reviewed", "entry")
    assert (rows[HINT].status, rows[HINT].origin) == ("draft", "entry")
    # Exported again, the reviewed entry is plain and the draft fuzzy, as Poedit shows them.
    again = export_po(workspace, "tyz", "household_survey", tmp_path / "again.po")
    with open(again, "rb") as f:
        messages = {m.context: m for m in read_po(f)}
    assert not messages[KEY].fuzzy and messages[HINT].fuzzy
    assert import_po(workspace, again).changed == 0


@pytest.mark.parametrize("text,words", [
    ("<b>Ưng</b> tỏ", "markup"),
    ("Ưng\x07 tỏ", "control character"),
    ("Ưng \u202etỏ", "control character"),
    ("x" * (5 * 1024 * 1024 - 200_000), "far longer"),
])
def test_a_bad_entry_refuses_the_whole_file(workspace, tmp_path, text, words):
    path = export_po(workspace, "tyz", "household_survey", tmp_path)
    edit(path, {HINT: ("Thám lăng", False), KEY: (text, False)})
    before = list(workspace.store.dump())
    with pytest.raises(PackImportError, match=words) as raised:
        import_po(workspace, path)
    assert "nothing was changed" in str(raised.value)
    assert list(workspace.store.dump()) == before


def test_a_file_over_five_megabytes_is_refused_unread(workspace, tmp_path):
    path = export_po(workspace, "tyz", "household_survey", tmp_path)
    edit(path, {KEY: ("x" * (5 * 1024 * 1024 + 10), False)})
    with pytest.raises(PackImportError, match="too large"):
        import_po(workspace, path)
    assert workspace.store.pack_entries.packs() == []


def test_letters_of_the_other_dao_spelling_are_refused(workspace, tmp_path):
    path = export_po(workspace, "ium", "household_survey", tmp_path)
    edit(path, {KEY: ("Maaih dấu", False)})
    with pytest.raises(PackImportError, match="one spelling only"):
        import_po(workspace, path)
    path = export_po(workspace, "ium@dao-vn", "household_survey", tmp_path / "vn.po")
    assert "X-Script: dao-vn" in path.read_text(encoding="utf-8")
    edit(path, {KEY: ("Benx yietc", False)})
    with pytest.raises(PackImportError, match="one spelling only"):
        import_po(workspace, path)
    assert workspace.store.pack_entries.packs() == []


def test_an_entry_reviewed_in_the_app_raises_its_packs_reviewed_count(workspace):
    """The one computation Settings and ``i18n coverage --db`` show: a draft written in the app
    counts as a draft from the app; reviewed there, as reviewed by a native speaker in the app,
    for its pack and form only."""
    def rows():
        return {(r.language, r.form_id): r for r in overview(workspace)}

    before = rows()
    workspace.translations.save("tyz", HINT, "Thám lăng")
    drafted = rows()
    old, new = before[("tyz", "household_survey")], drafted[("tyz", "household_survey")]
    assert (new.in_app, new.in_app_reviewed, new.reviewed) == (1, 0, old.reviewed)
    workspace.translations.accept("tyz", HINT)
    after = rows()
    new = after[("tyz", "household_survey")]
    assert (new.in_app, new.in_app_reviewed) == (1, 1)
    assert new.reviewed == old.reviewed + 1
    assert new.reviewed + new.draft + new.missing + new.inherited + new.outdated == new.total
    # Nùng shows Tày's entry as inherited, not as its own; the other forms are untouched.
    assert after[("nut", "household_survey")].in_app_reviewed == 0
    touched = {("tyz", "household_survey"), ("nut", "household_survey")}
    assert {k: r for k, r in after.items() if k not in touched} == {
        k: r for k, r in before.items() if k not in touched}
    line = next(line for line in coverage_lines(workspace)
                if line.startswith("tyz household_survey"))
    assert f"reviewed {new.reviewed}," in line and "1 from the app, 1 of them reviewed" in line


def test_coverage_counts_the_database_entries_per_pack(workspace, tmp_path, capsys):
    before = {(r.language, r.form_id): r for r in overview(workspace)}
    workspace.translations.save("nut", KEY, "Ưng tỏ", reviewed=True)
    after = {(r.language, r.form_id): r for r in overview(workspace)}
    old, new = before[("nut", "household_survey")], after[("nut", "household_survey")]
    assert new.reviewed == old.reviewed + 1 and new.in_app == 1 and not new.imported
    assert any(line.startswith("nut: 1 of ") for line in coverage_lines(workspace))
    workspace.close()
    assert cli.main(["i18n", "coverage", "--db", str(tmp_path / "c.db")]) == 0
    assert "nut: người bản ngữ đã duyệt 1/" in capsys.readouterr().out  # the CLI speaks vi
    out = tmp_path / "exported.po"
    assert cli.main(["i18n", "export", "--db", str(tmp_path / "c.db"), "--pack", "nut",
                     "--form", "household_survey", "--out", str(out)]) == 0
    assert "Ưng tỏ" in out.read_text(encoding="utf-8")
    assert cli.main(["i18n", "export", "--db", str(tmp_path / "c.db"), "--pack", "xyz",
                     "--form", "household_survey", "--out", str(out)]) == 2
