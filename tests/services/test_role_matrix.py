"""Who may do what, from ONE table: every command of the command line and every entry of the
services they go through (sync, reports, backups, privacy, audit, team, the health check) x
{nobody, member of this village, member of another village, trainer, commune staff, retired
member}, on an encrypted commune laptop (tests/role_world.py).

Each row says which roles are allowed; every other role is refused, with one line and exit
code 2 on the command line (AccessDenied or a refused sign-in in the services), and a refused
call leaves the database as it was (tests/role_world.World.snapshot). A command or a public
service method without a row fails :func:`test_every_command_and_entry_has_a_row`.

"Allowed" means: the command exits 0; the service call passes the access rules (some rows
then meet an ordinary error of their arguments, e.g. joining a laptop that holds data).
Field-workflow services (registry, sessions, training, surveys) have their rules tested in
tests/services/test_access.py.
"""

from __future__ import annotations

import argparse
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from fieldapp import cli
from fieldapp.errors import UserError
from fieldapp.services import auth, health
from fieldapp.services.access import AccessDenied
from fieldapp.services.audit import AuditLog
from fieldapp.services.backups import Backups
from fieldapp.services.privacy import Privacy
from fieldapp.services.reports import ReportsService
from fieldapp.services.sync.review import Conflict
from fieldapp.services.sync.service import SyncService
from fieldapp.services.team import Team
from fieldapp.services.workspace import Workspace
from role_world import (HERE, NAMES, NOBODY, OTHER, PIN, RETIRED, ROLES, SIGNED_IN, STAFF,
                        TRAINER, World, build)

ONLY_STAFF = frozenset({STAFF})
EVERYONE = frozenset(ROLES)
"""Commands that open no database: whoever runs them."""


@dataclass(frozen=True)
class Row:
    name: str
    """A command ("report commune") or a service entry ("sync.export"), then a variant."""
    allowed: frozenset[str]
    run: Callable
    """Command: (world, out folder) -> argv, or None for a row not run (see its reason).
    Service: (workspace, world, out folder) -> anything."""
    laptop: str = "commune"
    """The database it runs on: "commune", or "member" (the member laptop of this village,
    where only its member signs in)."""
    reason: str = ""


def db(w: World, laptop: str = "commune") -> str:
    return str(w.folder / f"{laptop}.db")


COMMANDS = [
    Row("check", SIGNED_IN, lambda w, o: ["check", "--db", db(w)]),
    Row("dump", ONLY_STAFF, lambda w, o: ["dump", "--db", db(w)]),
    Row("devices", SIGNED_IN, lambda w, o: ["devices", "--db", db(w)]),
    Row("setup-file", ONLY_STAFF, lambda w, o: ["setup-file", "--db", db(w), "--out",
                                                str(o / "new.setup"), "--name", "Máy mới",
                                                "--member", NAMES[OTHER]]),
    Row("setup-file (--request)", ONLY_STAFF, lambda w, o: [
        "setup-file", "--db", db(w), "--request", str(w.files["request"]), "--out",
        str(o / "other.hub")]),
    Row("join-request", ONLY_STAFF, lambda w, o: ["join-request", "--db", db(w), "--out",
                                                  str(o / "join.request")]),
    Row("join", ONLY_STAFF, lambda w, o: ["join", "--db", db(w), "--hub-file",
                                          str(w.files["hub"])]),
    Row("export", ONLY_STAFF, lambda w, o: ["export", "--db", db(w), "--out", str(o),
                                            "--to", "Máy Khuông"]),
    Row("export (member laptop)", frozenset({HERE}), lambda w, o: [
        "export", "--db", db(w, "member"), "--out", str(o)], laptop="member"),
    Row("import", ONLY_STAFF, lambda w, o: ["import", "--db", db(w),
                                            str(w.files["package"])]),
    Row("import (member laptop)", frozenset({HERE}), lambda w, o: [
        "import", "--db", db(w, "member"), str(w.files["return"])], laptop="member"),
    Row("report commune", frozenset({HERE, STAFF}), lambda w, o: [
        "report", "commune", "--db", db(w), "--out", str(o / "c.pdf"), "--village",
        "Bản Khuông"]),
    Row("report commune (the whole commune)", frozenset({HERE, OTHER, STAFF}), lambda w, o: [
        "report", "commune", "--db", db(w), "--out", str(o / "c.pdf")]),
    Row("report province", ONLY_STAFF, lambda w, o: [
        "report", "province", "--db", db(w), "--out", str(o / "pv.pdf")]),
    Row("report progress", frozenset({TRAINER, STAFF}), lambda w, o: [
        "report", "progress", "--db", db(w), "--out", str(o / "p.pdf")]),
    Row("report questionnaire", frozenset({HERE, STAFF}), lambda w, o: [
        "report", "questionnaire", "--form", "household_survey", "--lang", "vi", "--out",
        str(o / "q.pdf"), "--db", db(w), "--household", w.household_here]),
    Row("report questionnaire (blank, with the villages)", SIGNED_IN, lambda w, o: [
        "report", "questionnaire", "--form", "household_survey", "--lang", "vi", "--out",
        str(o / "q.pdf"), "--db", db(w)]),
    Row("report household", frozenset({HERE, STAFF}), lambda w, o: [
        "report", "household", "--db", db(w), "--household", w.household_here, "--lang",
        "vi", "--out", str(o / "h.pdf")]),
    Row("export-xlsx", ONLY_STAFF, lambda w, o: ["export-xlsx", "--db", db(w), "--out",
                                                 str(o / "x.xlsx")]),
    Row("export-csv", ONLY_STAFF, lambda w, o: ["export-csv", "--db", db(w), "--out",
                                                str(o / "csv")]),
    Row("backup", ONLY_STAFF, lambda w, o: ["backup", "--db", db(w), "--out",
                                            str(o / "b.bak")]),
    Row("restore", ONLY_STAFF, lambda w, o: ["restore", "--db", db(w), "--from",
                                             str(w.files["backup"])]),
    Row("erase", ONLY_STAFF, lambda w, o: ["erase", "--db", db(w), "--household",
                                           w.household_other, "--reason", "yêu cầu"]),
    # Commands that open no database take no sign-in: run once, by nobody.
    Row("demo", EVERYONE, lambda w, o: ["demo", "--db", str(o / "demo.db"), "--households",
                                        "3"]),
    Row("report questionnaire (blank)", EVERYONE, lambda w, o: [
        "report", "questionnaire", "--form", "household_survey", "--lang", "vi", "--out",
        str(o / "q.pdf")]),
    Row("forms check", EVERYONE, lambda w, o: ["forms", "check"]),
    Row("i18n coverage", EVERYONE, lambda w, o: ["i18n", "coverage"]),
    # The province warehouse needs a PostgreSQL cluster: tests/warehouse run these with one
    # (test_report_national.py: publish and check for commune staff only).
    Row("warehouse init", EVERYONE, lambda w, o: None,
        reason="opens no database; needs PostgreSQL: tests/warehouse"),
    Row("warehouse report", EVERYONE, lambda w, o: None,
        reason="opens no database; needs PostgreSQL: tests/warehouse"),
    Row("warehouse publish", ONLY_STAFF, lambda w, o: None,
        reason="needs PostgreSQL: tests/warehouse/test_report_national.py, every role"),
    Row("warehouse check", ONLY_STAFF, lambda w, o: None,
        reason="needs PostgreSQL: tests/warehouse/test_report_national.py, every role"),
    Row("i18n coverage (--db)", SIGNED_IN, lambda w, o: ["i18n", "coverage", "--db", db(w)]),
    Row("i18n export", SIGNED_IN, lambda w, o: ["i18n", "export", "--db", db(w), "--pack",
                                                "tyz", "--form", "household_survey",
                                                "--out", str(o / "tyz.po")]),
    Row("i18n import", ONLY_STAFF, lambda w, o: ["i18n", "import", "--db", db(w),
                                                 str(w.files["po"])]),
    Row("i18n audio-export", SIGNED_IN, lambda w, o: [
        "i18n", "audio-export", "--db", db(w), "--form", "household_survey", "--out",
        str(o / "hs.xlsx")]),
    Row("i18n audio-import", ONLY_STAFF, lambda w, o: ["i18n", "audio-import", "--db", db(w),
                                                       str(w.files["workbook"])]),
    Row("i18n update", EVERYONE, lambda w, o: None,
        reason="opens no database; not run here: it rewrites the packs shipped in i18n/"),
]


def _fake_conflict(w: World) -> Conflict:
    return Conflict("households", w.household_here, "head_name", "", ())


SERVICES = [
    Row("sync.status", SIGNED_IN, lambda ws, w, o: ws.sync.status()),
    Row("sync.devices", SIGNED_IN, lambda ws, w, o: ws.sync.devices()),
    Row("sync.users", SIGNED_IN, lambda ws, w, o: ws.sync.users()),
    Row("sync.history", SIGNED_IN, lambda ws, w, o: ws.sync.history()),
    Row("sync.preview_setup", SIGNED_IN, lambda ws, w, o: ws.sync.preview_setup(
        w.files["setup"])),
    Row("sync.dump", ONLY_STAFF, lambda ws, w, o: list(ws.sync.dump())),
    Row("sync.create_identity", ONLY_STAFF, lambda ws, w, o: ws.sync.create_identity()),
    Row("sync.register_device", ONLY_STAFF, lambda ws, w, o: ws.sync.register_device(
        "Máy mới", None, o / "new.setup")),
    Row("sync.join", ONLY_STAFF, lambda ws, w, o: ws.sync.join(w.files["setup"])),
    Row("sync.join_request", ONLY_STAFF, lambda ws, w, o: ws.sync.join_request(o / "r")),
    Row("sync.register_commune", ONLY_STAFF, lambda ws, w, o: ws.sync.register_commune(
        w.files["request"], o / "hub")),
    Row("sync.join_province", ONLY_STAFF, lambda ws, w, o: ws.sync.join_province(
        w.files["hub"])),
    Row("sync.export", ONLY_STAFF, lambda ws, w, o: ws.sync.export(o, to="Máy Khuông")),
    Row("sync.export (member laptop)", frozenset({HERE}),
        lambda ws, w, o: ws.sync.export(o), laptop="member"),
    Row("sync.import_files", ONLY_STAFF, lambda ws, w, o: ws.sync.import_files(
        [w.files["package"]], dry_run=False)),
    Row("sync.import_files (member laptop)", frozenset({HERE}), lambda ws, w, o:
        ws.sync.import_files([w.files["return"]], dry_run=False), laptop="member"),
    Row("sync.conflicts", ONLY_STAFF, lambda ws, w, o: ws.sync.conflicts()),
    Row("sync.resolve", ONLY_STAFF, lambda ws, w, o: ws.sync.resolve(_fake_conflict(w), "x")),
    Row("sync.duplicates", ONLY_STAFF, lambda ws, w, o: ws.sync.duplicates()),
    Row("sync.merge", ONLY_STAFF, lambda ws, w, o: ws.sync.merge(*w.twins)),
    Row("sync.keep_both", ONLY_STAFF, lambda ws, w, o: ws.sync.keep_both(*w.twins)),
    Row("sync.members_of", ONLY_STAFF, lambda ws, w, o: ws.sync.members_of(
        w.household_here)),
    Row("sync.retire_device", ONLY_STAFF, lambda ws, w, o: ws.sync.retire_device(
        _laptop(ws, "Máy Khuông"))),
    Row("sync.assign_member", ONLY_STAFF, lambda ws, w, o: ws.sync.assign_member(
        _laptop(ws, "Máy Khuông"), w.users[OTHER])),
    Row("reports.villages", SIGNED_IN, lambda ws, w, o: ws.reports.villages()),
    Row("reports.classes", SIGNED_IN, lambda ws, w, o: ws.reports.classes()),
    Row("reports.forms", SIGNED_IN, lambda ws, w, o: ws.reports.forms()),
    Row("reports.languages", SIGNED_IN, lambda ws, w, o: ws.reports.languages()),
    Row("reports.personal_forms", SIGNED_IN, lambda ws, w, o: ws.reports.personal_forms()),
    Row("reports.find_household", frozenset({HERE, OTHER, STAFF}),
        lambda ws, w, o: ws.reports.find_household(w.household_here)),
    Row("reports.pack_for_household", frozenset({HERE, STAFF}),
        lambda ws, w, o: ws.reports.pack_for_household(w.household_here)),
    Row("reports.make (household)", frozenset({HERE, STAFF}), lambda ws, w, o: ws.reports.make(
        "household", o / "h.pdf", {"household_id": w.household_here, "language": "vi"})),
    Row("reports.make (commune of another village)", frozenset({OTHER, STAFF}),
        lambda ws, w, o: ws.reports.make("commune", o / "c.pdf", {"village": "Bản Nà"})),
    Row("reports.make (progress)", frozenset({TRAINER, STAFF}),
        lambda ws, w, o: ws.reports.make("progress", o / "p.pdf", {})),
    Row("reports.make (xlsx)", ONLY_STAFF, lambda ws, w, o: ws.reports.make(
        "xlsx", o / "x.xlsx", {"names": False})),
    Row("backups.list", SIGNED_IN, lambda ws, w, o: ws.backups.list()),
    Row("backups.back_up", ONLY_STAFF, lambda ws, w, o: ws.backups.back_up(
        "manual", out=o / "b.bak")),
    Row("backups.daily_if_due", SIGNED_IN, lambda ws, w, o: ws.backups.daily_if_due()),
    Row("backups.restore", ONLY_STAFF, lambda ws, w, o: ws.backups.restore(
        w.files["backup"])),
    Row("privacy.erase", ONLY_STAFF, lambda ws, w, o: ws.privacy.erase(
        "households", w.household_other, "yêu cầu")),
    Row("privacy.erasures", ONLY_STAFF, lambda ws, w, o: ws.privacy.erasures()),
    Row("privacy.past_retention", ONLY_STAFF, lambda ws, w, o: ws.privacy.past_retention()),
    Row("audit.record", SIGNED_IN, lambda ws, w, o: ws.audit.record("print")),
    Row("audit.entries", ONLY_STAFF, lambda ws, w, o: ws.audit.entries()),
    Row("audit.count", ONLY_STAFF, lambda ws, w, o: ws.audit.count()),
    Row("team.members", SIGNED_IN, lambda ws, w, o: ws.team.members()),
    Row("team.add", ONLY_STAFF, lambda ws, w, o: ws.team.add("Lường Văn Mới", "trainer",
                                                             None, PIN)),
    Row("team.change_role", ONLY_STAFF, lambda ws, w, o: ws.team.change_role(
        w.users[OTHER], "trainer", None)),
    Row("team.retire", ONLY_STAFF, lambda ws, w, o: ws.team.retire(w.users[OTHER])),
    Row("team.reset_pin", ONLY_STAFF, lambda ws, w, o: ws.team.reset_pin(
        w.users[OTHER], "975318")),
    Row("health.check_signed_in", SIGNED_IN, lambda ws, w, o: health.check_signed_in(ws)),
]

def _laptop(workspace: Workspace, name: str) -> str:
    """The device id of a registered laptop (a list anyone signed in may read)."""
    return next(d.device for d in workspace.sync.devices() if d.name == name)


SERVICE_CLASSES = {"sync": SyncService, "reports": ReportsService, "backups": Backups,
                   "privacy": Privacy, "audit": AuditLog, "team": Team}
MODULE_ENTRIES = {"health.check_signed_in"}


def _leaf_commands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, object]:
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(_leaf_commands(sub, f"{prefix}{name} "))
    if not found and prefix:
        found[prefix.strip()] = parser
    return found


def _service_entries() -> set[str]:
    return {f"{attr}.{name}" for attr, cls in SERVICE_CLASSES.items()
            for name, member in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_")} | MODULE_ENTRIES


def test_every_command_and_entry_has_a_row():
    """A new command or a new public method of these services needs its row here."""
    commands = set(_leaf_commands(cli.build_parser()))
    assert {r.name.split(" (")[0] for r in COMMANDS} == commands
    entries = {r.name.split(" (")[0] for r in SERVICES}
    assert entries == _service_entries()


def test_every_command_that_opens_a_database_takes_the_sign_in_options():
    """Declared once (fieldapp.cli.signin.database_options): --db comes with --user."""
    for name, parser in _leaf_commands(cli.build_parser()).items():
        options = {o for a in parser._actions for o in a.option_strings}
        if name == "demo":  # its --db is the new file it creates
            assert "--user" not in options
            continue
        assert ("--db" in options) == ("--user" in options), name


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from fieldapp.storage import keyring

    before = keyring.KDF  # the module's world is built before each test's fast-PIN fixture
    keyring.KDF = keyring.KdfLimits(ops=1, mem=8 * 1024 * 1024)
    try:
        return build(tmp_path_factory.mktemp("roles") / "origin")
    finally:
        keyring.KDF = before


def _case(world: World, tmp_path: Path) -> tuple[World, Path]:
    here = world.copy(tmp_path / "laptop")
    out = tmp_path / "out"
    out.mkdir()
    return here, out


@pytest.mark.parametrize("row", COMMANDS, ids=lambda r: r.name)
def test_commands(row: Row, world, tmp_path, monkeypatch, capsys):
    if row.reason:
        pytest.skip(row.reason)
    monkeypatch.setenv("FIELDAPP_PIN", PIN)
    monkeypatch.delenv("FIELDAPP_USER", raising=False)
    roles = ROLES if row.allowed != EVERYONE else (NOBODY,)
    for role in roles:
        case, out = _case(world, tmp_path / role.replace(" ", "-"))
        database = case.folder / f"{row.laptop}.db"
        before = case.snapshot(database)
        argv = row.run(case, out) + ([] if role == NOBODY else ["--user", NAMES[role]])
        code = cli.main(argv)
        said = capsys.readouterr()
        if role in row.allowed:
            assert code == 0, (role, said.err)
        else:
            assert code == 2, (role, code, said.out, said.err)
            assert said.err.startswith("fieldapp: ") and said.err.count("\n") == 1, said.err
            assert "unexpected" not in said.err
            assert case.snapshot(database) == before, role
            assert list(out.iterdir()) == [], role


def _signed(world: World, role: str, laptop: str) -> Workspace:
    path = world.folder / f"{laptop}.db"
    if role == NOBODY:  # the key in hand, nobody signed in
        return Workspace.open(path, key=world.key(path))
    return auth.sign_in(path, world.users[role], PIN)


@pytest.mark.parametrize("row", SERVICES, ids=lambda r: r.name)
def test_service_entries(row: Row, world, tmp_path):
    for role in ROLES:
        case, out = _case(world, tmp_path / role.replace(" ", "-"))
        database = case.folder / f"{row.laptop}.db"
        before = case.snapshot(database)
        refused = None
        try:
            workspace = _signed(case, role, row.laptop)
        except auth.SignInError as exc:
            refused = exc
        else:
            try:
                row.run(workspace, case, out)
            except AccessDenied as exc:
                refused = exc
            except UserError:
                pass  # past the rules: an ordinary error of these arguments
            finally:
                workspace.close()
        if role in row.allowed:
            assert refused is None, (role, refused)
        else:
            assert refused is not None, role
            assert case.snapshot(database) == before, role
            assert list(out.iterdir()) == [], role


def test_audit_entries_name_who_ran_the_command(world, tmp_path, monkeypatch, capsys):
    case, out = _case(world, tmp_path)
    monkeypatch.setenv("FIELDAPP_PIN", PIN)
    assert cli.main(["backup", "--db", db(case), "--out", str(out / "b.bak"), "--user",
                     "hoang thi mai"]) == 0  # a name typed without accents
    workspace = auth.sign_in(case.db, case.users[STAFF], PIN)
    try:
        [event] = [e for e in workspace.audit.entries()
                   if e.action == "backup" and e.detail == {"file": "b.bak"}]
        assert event.user == NAMES[STAFF]
    finally:
        workspace.close()
