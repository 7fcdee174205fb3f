"""Per-kind sync tests generated from the declarations (fieldapp.core.kinds): for every kind,
a round trip between the commune and a member laptop, which laptops receive it, what an
erasure and a merge do to it, and every change a member laptop is not allowed to make, forged
into a signed package: refused, the commune's data unchanged.

A record of any kind is made from its declaration alone (:func:`make`): its required fields,
the records its scope and required references need (in the village asked for), values by
type. A new kind is covered here without a line of test code."""

from __future__ import annotations

import json

import pytest

from fieldapp.core.changes import Change
from fieldapp.core.clock import new_id
from fieldapp.core.kinds import (
    BYTES, CHANGE, CREATE, INTEGER, JSON, KINDS, MAP, MEMBER, REAL, REMOVE, TREE, Kind, Scope,
    kind as kind_of)
from fieldapp.services.privacy import Privacy
from fieldapp.services.sync import exchange, identity, review
from fieldapp.services.workspace import Workspace
from fieldapp.sync import crypto, package as pkg
from fieldapp.sync.codec import encode
from sync_world import join_member, new_commune

_VALUES = {"text": "x", INTEGER: 1, REAL: 1.5, BYTES: b"\x00\x01", JSON: "[]", MAP: {"k": "v"},
           TREE: {"q": "a"}}
_NAMED = {"role": "member", "date": "2026-11-01", "start_date": "2026-11-01",
          "form_id": "household_survey", "form_version": "1", "status": "final",
          "action": "test"}


def values_for(store, kind: Kind, village: str) -> dict:
    """The values of a new record of ``kind`` in ``village``: every required field, the
    village, and the records it needs (made first)."""
    values: dict = {}
    for field in kind.fields:
        if field.secret:
            continue
        if field.village:
            values[field.name] = village
        elif field.commune:
            values[field.name] = store.meta("commune_id")
        elif field.ref is not None and (field.required or field.ref.scope or field.ref.erase) \
                and field.ref.kind != kind.table:
            values[field.name] = make(store, field.ref.kind, village)
        elif field.required or field.name in _NAMED:
            values[field.name] = _NAMED.get(field.name, _VALUES[field.type])
    if kind.table == "devices":
        values["device"] = new_id()
    if kind.table == "erasures":
        values.update(target_table="persons", target_id=make(store, "persons", village))
    if kind.valid is not None and kind.valid(values):  # a value another laptop never takes
        values = {n: v for n, v in values.items()
                  if kind.by_name[n].required or kind.by_name[n].ref is not None}
    if kind.table in ("attendance", "progress"):  # a learner of the same class
        values["enrolment_id"] = store.writer.insert("enrolments", {
            "class_id": values["class_id"], "person_id": make(store, "persons", village)})
    return values


def make(store, table: str, village: str) -> str:
    """A new record of ``table`` in ``village`` (of the commune's own record: the laptop's
    commune, changed, since a commune writes no other commune's record)."""
    with store.transaction():
        if table == "communes":
            record = store.meta("commune_id")
            store.writer.update(table, record, {"province": new_id()})
            return record
        return store.writer.insert(table, values_for(store, kind_of(table), village))


class World:
    def __init__(self, folder):
        self.folder = folder
        self.commune = new_commune(folder / "commune.db", ["Bản Khuông", "Bản Nà"])
        self.a, self.b = (v["id"] for v in self.commune.villages.list())
        self.users = [self.commune.users.add_user(f"Thành viên {v}", "member", village_id=v)
                      for v in (self.a, self.b)]
        self.laptops = [join_member(self.commune, folder, f"L{n}", user, file=f"m{n}")
                        for n, user in enumerate(self.users)]
        self.count = 0
        self.staff = Workspace(self.commune, None)

    def path(self):
        self.count += 1
        return self.folder / f"p{self.count}.fieldsync"

    def down(self, n: int) -> None:
        report = exchange.import_package(self.laptops[n], exchange.export_package(
            self.commune, self.path(), to=f"L{n}").path)
        assert report.status == "applied", report.message

    def up(self, n: int) -> exchange.ImportReport:
        report = exchange.import_package(self.commune, exchange.export_package(
            self.laptops[n], self.path()).path)
        assert report.status == "applied", report.message
        return report

    def line(self, store, table: str, record: str) -> str | None:
        return next((line for line in store.dump() if json.loads(line)["id"] == record
                     and json.loads(line)["table"] == table), None)

    def forged(self, lines: list[bytes]) -> exchange.ImportReport:
        """A package signed by laptop 0 holding ``lines``, imported at the commune."""
        laptop, commune = self.laptops[0], self.commune
        hub = commune.commune()["id"]
        seed, _box = identity.device_keys(laptop)
        box = identity.hub_public_key(commune)
        header = pkg.Header(package_id=new_id(), commune_id=hub,
                            source_device=laptop.device_id, destination=f"hub:{hub}",
                            created_at="2026-11-20", recipient_key=crypto.fingerprint(box))
        path = self.path()
        writer = pkg.PackageWriter(path, header, signing_seed=seed, recipient_public=box)
        writer.add_lines(lines)
        writer.finish(pkg.Manifest(package_id=header.package_id, kind="to_hub",
                                   entries=len(lines)))
        return exchange.import_package(commune, path)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(tmp_path_factory.mktemp("kinds"))


def _ids(kinds):
    return [k.table for k in kinds]


@pytest.mark.parametrize("kind", KINDS, ids=_ids(KINDS))
def test_round_trip(world, kind):
    """Made at the commune, a record reaches the member laptop of its village as it is there
    (an upward-only one never comes back down); made on a member laptop where members may
    make it, it reaches the commune as it is there."""
    record = make(world.commune, kind.table, world.a)
    world.down(0)
    expected = None if kind.scope is Scope.UPWARD else world.line(world.commune, kind.table,
                                                                   record)
    assert world.line(world.laptops[0], kind.table, record) == expected
    if kind.may(MEMBER, CREATE):
        mine = make(world.laptops[0], kind.table, world.a)
        report = world.up(0)
        assert not report.refused, report.refused
        if kind.scope is not Scope.UPWARD:
            assert world.line(world.commune, kind.table, mine) == world.line(
                world.laptops[0], kind.table, mine)
        assert world.commune.writer.history(mine)


@pytest.mark.parametrize("kind", KINDS, ids=_ids(KINDS))
def test_scope(world, kind):
    """A record of Bản Nà reaches Bản Nà's laptop; Bản Khuông's only when it is commune-wide."""
    record = make(world.commune, kind.table, world.b)
    world.down(0)
    world.down(1)
    here = [world.line(laptop, kind.table, record) is not None for laptop in world.laptops]
    assert here == {Scope.COMMUNE: [True, True], Scope.VILLAGE: [False, True],
                    Scope.UPWARD: [False, False], Scope.SHARED: [True, True]}[kind.scope]


def _erased_by(kind: Kind) -> list[str]:
    """The erasable kinds whose erasure reaches a record of ``kind`` (itself included)."""
    out = [kind.table] if kind.erasable else []
    for _name, ref in kind.references:
        if ref.erase and ref.kind != kind.table:
            out += _erased_by(kind_of(ref.kind))
    return list(dict.fromkeys(out))


ERASED = [k for k in KINDS if _erased_by(k)]


@pytest.mark.parametrize("kind", ERASED, ids=_ids(ERASED))
def test_erasure(world, kind):
    """Erasing what a record belongs to (a person, a household) removes it from the commune
    and the member laptop, and keeps it out when it is sent again."""
    record = make(world.commune, kind.table, world.a)
    world.down(0)
    target_table = _erased_by(kind)[-1]
    row = world.commune.record(kind.table, record)
    target = record
    chain = kind
    while chain.table != target_table:  # up the erase references to the erased record
        name, ref = next((n, r) for n, r in chain.references if r.erase and row.get(n))
        target = row[name]
        chain = kind_of(ref.kind)
        row = world.commune.record(chain.table, target)
    Privacy(world.staff).erase(target_table, target, "yêu cầu")
    world.down(0)
    for store in (world.commune, world.laptops[0]):
        assert store.log.rec(record) is None and store.record(kind.table, record) is None


MERGED = [k for k in KINDS if any(r.merge for _n, r in k.references)]


@pytest.mark.parametrize("kind", MERGED, ids=_ids(MERGED))
def test_merge(world, kind):
    """A record that refers to a household merged into another shows the survivor, on the
    commune and on the member laptop."""
    record = make(world.commune, kind.table, world.a)
    name = next(n for n, r in kind.references if r.merge)
    absorbed = make(world.commune, "households", world.a)
    survivor = make(world.commune, "households", world.a)
    with world.commune.transaction():
        world.commune.writer.update(kind.table, record, {name: absorbed})
    review.merge_households(world.commune, survivor, absorbed)
    world.down(0)
    for store in (world.commune, world.laptops[0]):
        assert store.record(kind.table, record)[name] == survivor


def _forbidden():
    """(kind, action, village) of every change a member of Bản Khuông may not make: what its
    role may not do at all (in its own village), and what it may do elsewhere only."""
    cases = []
    for kind in KINDS:
        for action in (CREATE, CHANGE, REMOVE):
            members = any(g.role == MEMBER and action in g.actions for g in kind.grants)
            if not kind.may(MEMBER, action):
                cases.append((kind, action, "own"))
            elif members and kind.scope is Scope.VILLAGE:
                cases.append((kind, action, "other"))
    return cases


FORBIDDEN = _forbidden()


@pytest.mark.parametrize("kind,action,where", FORBIDDEN,
                         ids=[f"{k.table}-{a}-{w}" for k, a, w in FORBIDDEN])
def test_forged_author(world, kind, action, where):
    """Laptop 0 (a member of Bản Khuông) forges the change into a package it signs: refused,
    nothing of it at the commune."""
    village = world.a if where == "own" else world.b
    commune, laptop = world.commune, world.laptops[0]
    stamp = laptop.clock.tick_stamp()
    if action == CREATE:
        record = new_id()
        values = values_for(commune, kind, village)
        fields = kind.record_type.fields_of(values)
    else:
        record = make(commune, kind.table, village)
        field = next((f.name for f in kind.fields if not f.secret and f.type == "text"
                      and f.name not in kind.place_fields), None)
        fields = {"deleted": 1} if action == REMOVE else {field or kind.fields[0].name: "y"}
    before = list(commune.dump())
    lines = list(encode(Change(kind.table, record, name, value, stamp)
                        for name, value in fields.items()))
    report = world.forged(lines)
    assert report.status == "refused" or report.refused, report
    assert list(commune.dump()) == before


def _capable():
    """(kind, action, capability) of what members may do only with a capability."""
    return [(kind, action, g.needs) for kind in KINDS for g in kind.grants
            if g.role == MEMBER and g.needs for action in sorted(g.actions)]


CAPABLE = _capable()


@pytest.mark.parametrize("kind,action,needs", CAPABLE,
                         ids=[f"{k.table}-{a}-{n}" for k, a, n in CAPABLE])
def test_capability_is_checked_at_the_changes_stamp(tmp_path, kind, action, needs):
    """A member's change that needs a capability (the translator flag) is taken only when the
    member had it at the change's stamp: before commune staff gave it, refused; while they had
    it, taken; after it was taken away, refused again (the change forged into a signed
    package each time, as the laptop would send it)."""
    import time

    world = World(tmp_path)
    commune, laptop = world.commune, world.laptops[0]
    user = world.users[0]

    existing = make(commune, kind.table, world.a) if action != CREATE else None

    def forge() -> exchange.ImportReport:
        if action == CREATE:
            record = new_id()
            fields = kind.record_type.fields_of(values_for(commune, kind, world.a))
        else:
            record = existing
            name = next(f.name for f in kind.fields if f.type == "text" and not f.required
                        and not f.automatic and f.name not in kind.place_fields)
            fields = {name: "y"}
        stamp = laptop.clock.tick_stamp()
        return world.forged(list(encode(Change(kind.table, record, n, v, stamp)
                                        for n, v in fields.items())))

    def flag(value: int) -> None:
        time.sleep(0.005)
        with commune.transaction():
            commune.writer.update("users", user, {needs: value})
        time.sleep(0.005)

    before = list(commune.dump())
    report = forge()
    assert report.refused and list(commune.dump()) == before, report
    flag(1)
    report = forge()
    assert report.status == "applied" and not report.refused, report.refused
    flag(0)
    before = list(commune.dump())
    report = forge()
    assert report.refused and list(commune.dump()) == before, report


_WRONG = {"text": b"\x00", INTEGER: 1.5, REAL: "x", BYTES: "x", JSON: "{not json"}
"""A value of the wrong type for each field type (a file content where text goes, ...)."""
TYPED = [(kind, name) for kind in KINDS for name in kind.typed]


@pytest.mark.parametrize("kind,field", TYPED, ids=[f"{k.table}.{f}" for k, f in TYPED])
def test_a_value_of_the_wrong_type_is_refused(world, kind, field):
    """Whatever the author may write, a value its field's type never holds (a JSON field that
    is no JSON: the screen that reads it back failed on it for ever) refuses the file, with
    its reason; nothing of it at the commune. As first values and as a change."""
    commune, laptop = world.commune, world.laptops[0]
    before = list(commune.dump())
    wrong = _WRONG[kind.typed[field].type]
    first, later = laptop.clock.tick_stamp(), laptop.clock.tick_stamp()
    for change in (Change(kind.table, new_id(), field, wrong, first),
                   Change(kind.table, new_id(), field, wrong, later, first)):
        report = world.forged(list(encode([change])))
        assert report.status == "refused" and field in report.message, report
        assert list(commune.dump()) == before


TEXTS = [(kind, f.name) for kind in KINDS for f in kind.fields if f.type in ("text", JSON)]


@pytest.mark.parametrize("kind,field", TEXTS, ids=[f"{k.table}.{f}" for k, f in TEXTS])
def test_a_text_longer_than_any_fieldapp_writes_is_refused(world, kind, field):
    """A household named with 10 MB of text made its report run for minutes."""
    from fieldapp.core.kinds import MAX_TEXT

    commune, laptop = world.commune, world.laptops[0]
    before = list(commune.dump())
    long = json.dumps(["x" * MAX_TEXT]) if kind.typed[field].type == JSON else "x" * (MAX_TEXT + 1)
    report = world.forged(list(encode([Change(kind.table, new_id(), field, long,
                                              laptop.clock.tick_stamp())])))
    assert report.status == "refused" and "longer than" in report.message, report
    assert list(commune.dump()) == before


OPEN_FIELDS = [(kind, f"{column}.note") for kind in KINDS for column in kind.record_type.maps] \
    + [(kind, f"{kind.record_type.tree}/note") for kind in KINDS if kind.record_type.tree]
"""A map entry or an answer of each kind that has them: fields no declaration types."""


@pytest.mark.parametrize("kind,field", OPEN_FIELDS, ids=[f"{k.table}.{f}" for k, f in OPEN_FIELDS])
def test_an_answer_or_a_map_entry_longer_than_any_fieldapp_writes_is_refused(world, kind, field):
    """Plain fields had the limit and these had none: a 10 MB answer made every report that
    reads the survey crawl. As first values and as a change; nothing of the file stays."""
    from fieldapp.core.kinds import MAX_TEXT

    commune, laptop = world.commune, world.laptops[0]
    before = list(commune.dump())
    first, later = laptop.clock.tick_stamp(), laptop.clock.tick_stamp()
    long = "x" * (MAX_TEXT + 1)
    for change in (Change(kind.table, new_id(), field, long, first),
                   Change(kind.table, new_id(), field, long, later, first)):
        report = world.forged(list(encode([change])))
        assert report.status == "refused" and "longer than" in report.message, report
        assert field in report.message
        assert list(commune.dump()) == before


def test_a_text_longer_than_any_laptop_takes_is_refused_where_it_is_typed(world):
    """A laptop keeps no text another laptop would refuse (the commune refuses the whole
    package for it): a name, a map entry or an answer longer than MAX_TEXT is refused by the
    writer, as a new record and as a change, and nothing is written."""
    from fieldapp.core.kinds import MAX_TEXT
    from fieldapp.storage.writer import WriteRefused

    laptop = world.laptops[0]
    long = "x" * (MAX_TEXT + 1)
    household = values_for(laptop, kind_of("households"), world.a)
    before = list(laptop.dump())
    for values in ({**household, "head_name": long},
                   {**household, "properties": {"note": long}}):
        with pytest.raises(WriteRefused, match="longer than"), laptop.transaction():
            laptop.writer.insert("households", values)
        assert list(laptop.dump()) == before
    with laptop.transaction():
        record = laptop.writer.insert("households", household)
    before = list(laptop.dump())
    with pytest.raises(WriteRefused, match="longer than"), laptop.transaction():
        laptop.writer.update("households", record, {"phone": long})
    assert list(laptop.dump()) == before
    with laptop.transaction():  # the limit itself is kept
        laptop.writer.update("households", record, {"phone": "x" * MAX_TEXT})


NAMES_AND_REFS = [(kind, f.name) for kind in KINDS for f in kind.fields
                  if f.type == "text" and (f.search is not None or f.ref is not None)]


@pytest.mark.parametrize("kind,field", NAMES_AND_REFS,
                         ids=[f"{k.table}.{f}" for k, f in NAMES_AND_REFS])
def test_a_name_or_a_reference_that_is_a_number_is_refused(world, kind, field):
    """A household named 1 failed the import with the catch-all message (folding a name for
    search needs text); an id is text too."""
    commune, laptop = world.commune, world.laptops[0]
    before = list(commune.dump())
    report = world.forged(list(encode([Change(kind.table, new_id(), field, 1,
                                              laptop.clock.tick_stamp())])))
    assert report.status == "refused" and field in report.message, report
    assert list(commune.dump()) == before
