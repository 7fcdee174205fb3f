"""A commune laptop for the role matrix (tests/services/test_role_matrix.py): encrypted, with a
team of every role, households in two villages, a member laptop's package waiting, a province
hub file, another commune's join request and a backup, all made once and copied per case.

Imported by the tests as ``from role_world import ...`` (tests/ is on sys.path).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp import paths
from fieldapp.core import demo_data as dd
from fieldapp.services import auth
from fieldapp.services.demo_surveys import fill_household_survey
from fieldapp.services.forms import FormCatalog
from fieldapp.services.surveys import SurveyService
from fieldapp.services.sync import exchange, identity, province
from fieldapp.services.workspace import Workspace
from fieldapp.storage import backup as bk
from fieldapp.storage import keyring as kr
from fieldapp.storage.store import Store
from sync_world import join_member, new_commune

PIN = "246813"
NOBODY, HERE, OTHER, TRAINER, STAFF, RETIRED = (
    "nobody", "member of this village", "member of another village", "trainer",
    "commune staff", "retired member")
ROLES = (NOBODY, HERE, OTHER, TRAINER, STAFF, RETIRED)
SIGNED_IN = frozenset({HERE, OTHER, TRAINER, STAFF})
NAMES = {STAFF: "Hoàng Thị Mai", HERE: "Lò Văn Khuông", OTHER: "Nông Thị Nà",
         TRAINER: "Đinh Văn Dạy", RETIRED: "Vi Văn Nghỉ"}
"""Who signs in for each role (nobody: no one)."""


@dataclass
class World:
    folder: Path
    users: dict[str, str]
    """Role -> user id."""
    household_here: str
    household_other: str
    twins: tuple[str, str]
    """Two households of this village that look alike (a probable duplicate)."""
    person_here: str
    files: dict[str, Path] = field(default_factory=dict)
    """Inputs the commands read: package, setup, hub, request, backup, return."""

    @property
    def db(self) -> Path:
        return self.folder / "commune.db"

    def copy(self, target: Path) -> "World":
        """The commune laptop's files (database, keyring, backups) copied into ``target``;
        the inputs stay where they are (commands only read them)."""
        target.mkdir(parents=True, exist_ok=True)
        for name in ("commune.db", "commune.db.keyring", "member.db", "member.db.keyring"):
            if (self.folder / name).exists():
                shutil.copy2(self.folder / name, target / name)
        backups = bk.backups_dir(self.db)
        if backups.exists():
            shutil.copytree(backups, bk.backups_dir(target / "commune.db"))
        return World(target, self.users, self.household_here, self.household_other,
                     self.twins, self.person_here, self.files)

    def key(self, db: Path | None = None) -> bytes:
        db = db or self.db
        ring = kr.Keyring.for_database(db)
        user = self.users[STAFF] if ring.has_user(self.users[STAFF]) else self.users[HERE]
        return ring.unlock(user, PIN)

    def snapshot(self, db: Path | None = None) -> tuple:
        """What a refused command must leave as it was: every synced record, the audit log
        but sign-ins (a refused member did sign in), the backups, the files of the folder."""
        db = db or self.db
        store = Store.open(db, key=self.key(db))
        try:
            audit = sorted((e["action"], e["object_id"] or "") for e in store.audit.list()
                           if e["action"] != "sign_in")
            return (list(store.dump()), audit, store.log.count() - _sign_ins(store),
                    sorted(p.name for p in bk.backups_dir(db).glob("*")) if
                    bk.backups_dir(db).exists() else [],
                    sorted(p.name for p in self.folder.iterdir()))
        finally:
            store.close()


def _sign_ins(store: Store) -> int:
    """Change-log entries of sign-in audit events (each is a synced record)."""
    ids = [e["id"] for e in store.audit.list() if e["action"] == "sign_in"]
    return sum(len(store.writer.history(i)) for i in ids)


def _survey(store: Store, village_id: str, names: tuple[str, str]) -> str:
    svc = SurveyService(store, FormCatalog([paths.forms_dir()]),
                        today=lambda: dt.date(2026, 11, 23))
    members = [dd.Member("head", "male", 1975, "tay", names[0].split()[0], names[0]),
               dd.Member("child", "female", 2001, "tay", names[1].split()[0], names[1])]
    form, instance = fill_household_survey(svc, random.Random(3), village_id, members)
    return svc.save(None, form, instance, finalize=True)


def build(folder: Path) -> World:
    commune = new_commune(folder / "commune.db", ["Bản Khuông", "Bản Nà"], pin=PIN)
    staff = commune.users.list()[0]["id"]
    villages = {v["name"]: v["id"] for v in commune.villages.list()}
    here, there = villages["Bản Khuông"], villages["Bản Nà"]
    team = Workspace(commune).team
    users = {STAFF: staff,
             HERE: team.add(NAMES[HERE], "member", here, PIN),
             OTHER: team.add(NAMES[OTHER], "member", there, PIN),
             TRAINER: team.add(NAMES[TRAINER], "trainer", None, PIN),
             RETIRED: team.add(NAMES[RETIRED], "member", here, PIN)}
    submission = _survey(commune, here, ("Lý Văn Páo", "Lý Thị Mai"))
    household_here = commune.submissions.get(submission)["household_id"]
    person_here = commune.persons.of_household(household_here)[0]["id"]
    twins = (commune.households.add_household(here, "Hà Văn Tùng"),
             commune.households.add_household(here, "Hà Văn Tung"))
    household_other = commune.households.add_household(there, "Hoàng Thị Bé")
    commune.persons.add_person(household_other, "Hoàng Thị Bé", birth_year=1980)
    # A member laptop of this village, with a package for the commune waiting.
    identity.create_hub(commune)
    member = join_member(commune, folder, "Máy Khuông", users[HERE], file="member")
    member.households.add_household(here, "Triệu Văn Mới")
    (folder / "in").mkdir()
    files = {"package": exchange.export_package(member,
                                                folder / "in" / "from-member.fieldsync").path}
    files["return"] = exchange.export_package(commune, folder / "in" / "return.fieldsync",
                                              to="Máy Khuông").path
    files["setup"] = identity.write_setup_file(
        commune, identity.register_device(commune, "Máy dự phòng", None),
        folder / "in" / "spare.setup")
    # A province's hub file for this commune, and another commune's request to join it.
    office = new_commune(folder / "province.db", ["Thành phố"], "Tỉnh Lạng Sơn")
    files["hub"] = province.register_request(
        office, province.write_request(commune, folder / "in" / "join.request"),
        folder / "in" / "province.hub")[1]
    other = new_commune(folder / "other.db", ["Bản Xa"], "Xã Khác")
    files["request"] = province.write_request(other, folder / "in" / "other.request")
    files["other_backup"] = bk.backup_database(folder / "other.db", None, "manual",
                                               out=folder / "in" / "other.bak")
    from fieldapp.services.translate_po import export_po

    files["po"] = export_po(Workspace(commune, None), "tyz", "household_survey",
                            folder / "in" / "tyz-household_survey.po")
    from fieldapp.services.form_audio import write_audio

    files["workbook"] = write_audio(Workspace(commune, None), "household_survey",
                                    folder / "in" / "household_survey.xlsx")
    for store in (office, other):
        store.close()
    team.retire(users[RETIRED])
    staff_user = commune.users.get(staff)
    member_user = member.users.get(users[HERE])
    commune_key = identity.hub_public_key(commune)
    commune.close()
    member.close()
    auth.protect(folder / "commune.db", staff_user, PIN)
    auth.protect(folder / "member.db", member_user, PIN, recovery=False,
                 commune_public_key=commune_key)
    signed = auth.sign_in(folder / "commune.db", staff, PIN)
    for role in (HERE, OTHER, TRAINER):  # their keyring entries on the commune laptop
        signed.team.reset_pin(users[role], PIN)
    files["backup"] = signed.backups.back_up("manual", out=folder / "in" / "commune.bak")
    signed.close()
    return World(folder, users, household_here, household_other, twins, person_here, files)
