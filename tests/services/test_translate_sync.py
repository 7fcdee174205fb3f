"""A translator's edit travels member laptop -> commune -> province -> another commune -> its
member laptop, with its recording; an edit by someone not marked translator is refused on the
way; two translators' texts for one entry meet as a conflict shown side by side, and the
choice travels back."""

from __future__ import annotations

import pytest

from fieldapp.audio.codec import prompt_from_take
from fieldapp.core.pack_entries import entry_id
from fieldapp.services.access import Session
from fieldapp.services.sync import exchange, province
from fieldapp.services.workspace import Workspace
from sync_world import join_member, new_commune

KEY = "household_survey:visit/consent:label"
OTHER = "household_survey:choices/contact/yes:label"


class Province:
    def __init__(self, folder):
        self.folder = folder
        self.office = new_commune(folder / "province.db", ["(văn phòng tỉnh)"], "Tỉnh Lạng Sơn")
        self.communes = {}
        self.laptops = {}
        self.users = {}
        self.count = 0
        for name, village in (("Xã A", "Bản A"), ("Xã B", "Bản B")):
            store = new_commune(folder / f"{name[-1]}.db", [village], name)
            request = province.write_request(store, folder / f"req-{name[-1]}.json")
            _name, hub = province.register_request(self.office, request,
                                                   folder / f"hub-{name[-1]}.json")
            province.join_province(store, hub)
            village_id = store.villages.list()[0]["id"]
            user = store.users.add_user(f"Nông Thị {name[-1]}", "member", village_id=village_id)
            Workspace(store, None).translations.set_translator(user, True)
            self.communes[name] = store
            self.users[name] = user
            self.laptops[name] = join_member(store, folder, f"L-{name[-1]}", user,
                                             file=f"member-{name[-1]}")

    def path(self):
        self.count += 1
        return self.folder / f"p{self.count}.fieldsync"

    def translator(self, commune: str) -> Workspace:
        laptop = self.laptops[commune]
        return Workspace(laptop, Session.of_user(laptop.users.get(self.users[commune])))

    def _move(self, source, target, to=None):
        package = exchange.export_package(source, self.path(), to=to)
        report = exchange.import_package(target, package.path)
        assert report.status == "applied", report.message
        return report

    def up(self, commune: str):
        """Member laptop -> commune -> province."""
        reports = [self._move(self.laptops[commune], self.communes[commune])]
        reports.append(self._move(self.communes[commune], self.office, to="province"))
        return reports

    def down(self, commune: str):
        """Province -> commune -> member laptop."""
        store = self.communes[commune]
        peer = next(p for p in self.office.query("select * from sync_peers where kind = "
                                                 "'member'") if p["name"].startswith(commune))
        reports = [self._move(self.office, store, to=peer["name"])]
        reports.append(self._move(store, self.laptops[commune], to=f"L-{commune[-1]}"))
        return reports


@pytest.fixture()
def world(tmp_path):
    return Province(tmp_path)


def speech_prompt():
    import math
    from array import array

    rate = 16_000
    pcm = array("h", (int(9000 * max(0.0, math.sin(2 * math.pi * 1.5 * i / rate)) * math.sin(
        2 * math.pi * 180 * i / rate)) for i in range(rate * 3)))
    return prompt_from_take(pcm, rate)


def test_an_edit_reaches_the_laptops_of_another_commune_through_the_province(world):
    prompt = speech_prompt()
    hoa = world.translator("Xã A").translations
    hoa.save("tyz", KEY, "Rườn mì ưng tỏ bấu?", reviewed=True, comment="thử nghiệm")
    hoa.set_prompt("tyz", KEY, prompt)
    for report in world.up("Xã A") + world.down("Xã B"):
        assert not report.refused, report.refused
    record = entry_id("tyz", KEY)
    for store in (world.communes["Xã A"], world.office, world.communes["Xã B"],
                  world.laptops["Xã B"]):
        row = store.pack_entries.get(record)
        assert row is not None and row["text"] == "Rườn mì ưng tỏ bấu?"
        assert row["status"] == "reviewed" and row["reviewer"] == "Nông Thị A"
        assert row["reviewer_commune"] == "Xã A"
        assert bytes(row["audio"]) == prompt.data
    # Commune B's own laptop shows it: the screen, the survey's label, the prompt.
    reader = world.translator("Xã B").translations
    shown = reader.row("tyz", KEY)
    assert (shown.text, shown.status, shown.origin, shown.audio_from) == (
        "Rườn mì ưng tỏ bấu?", "reviewed", "entry", "entry")
    form = reader.form("household_survey")
    resolved = reader.resolver(form, "tyz").resolve("visit/consent", "label",
                                                     {"vi": "Hộ có đồng ý trả lời không?"})
    assert resolved.text == "Rườn mì ưng tỏ bấu?" and not resolved.fuzzy
    assert reader.prompt("nut", KEY) == prompt.data  # Nùng plays Tày's, marked as Tày's
    assert reader.row("nut", KEY).audio_from == "parent"


def test_an_entry_by_a_member_not_marked_translator_is_refused_at_the_commune(world):
    laptop = world.laptops["Xã A"]
    Workspace(world.communes["Xã A"], None).translations.set_translator(
        world.users["Xã A"], False)
    world._move(world.communes["Xã A"], laptop, to="L-A")
    member = world.translator("Xã A").translations
    assert not member.can_translate()
    with pytest.raises(Exception, match="translators"):
        member.save("tyz", KEY, "Rườn mì ưng tỏ bấu?")
    # Forced past the service (a tampered laptop): the commune refuses it, and so nothing
    # reaches the province.
    laptop.pack_entries.write("tyz", KEY, "Hộ có đồng ý trả lời không?", {"text": "x"})
    report = world._move(laptop, world.communes["Xã A"])
    assert report.refused and "translators" in report.refused[0][1]
    assert world.communes["Xã A"].pack_entries.get(entry_id("tyz", KEY)) is None


def test_two_translators_on_two_laptops_meet_as_a_conflict_side_by_side(world):
    a = world.translator("Xã A").translations
    b = world.translator("Xã B").translations
    a.save("tyz", OTHER, "Ưng tỏ", reviewed=True)
    b.save("tyz", OTHER, "Ưng", reviewed=True)
    world.up("Xã A")
    world.up("Xã B")
    world.down("Xã A")
    for translations in (a, Workspace(world.office, None).translations):
        conflicts = [c for c in translations.conflicts("tyz") if c.field == "text"]
        assert len(conflicts) == 1, conflicts
        assert sorted(v.value for v in conflicts[0].values) == ["Ưng", "Ưng tỏ"]
        assert translations.row("tyz", OTHER).conflict
    # Nothing stored was lost: both texts are in the record's history everywhere.
    history = {c.value for c in world.office.writer.history(entry_id("tyz", OTHER))
               if c.field == "text"}
    assert history == {"Ưng", "Ưng tỏ"}
    # A's translator keeps B's text; the choice reaches commune B's laptop.
    chosen = next(v for v in a.conflicts("tyz")[0].values if v.value == "Ưng")
    a.resolve(conflicts[0].record, "text", chosen.stamp)
    world.up("Xã A")
    world.down("Xã B")
    assert b.row("tyz", OTHER).text == "Ưng" and not b.row("tyz", OTHER).conflict
