"""Hostile input, generated: every entry point that reads outside data answers each input with
a result or a clear, expected refusal: no other exception, no hang, no memory blow-up, and a
refused package leaves the database as it was.

Entry points: package import, XLSForm loading, .po (label pack) import, setup-file loading,
the expression parser, and the command line's arguments. The default suite runs a few dozen
inputs per entry point; the long run (``pytest -m longrun tests/fuzz``) runs
FIELDAPP_FUZZ_EXAMPLES of each (10,000 by default) and prints the figures.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import signal
import time
import zipfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from fieldapp import paths
from fieldapp.errors import UserError

LONG = int(os.environ.get("FIELDAPP_FUZZ_EXAMPLES", "10000"))
SHORT = 25
PER_INPUT_SECONDS = 20


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """A hang is an error (SIGALRM; POSIX)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(_signum, _frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Figures:
    """Outcomes per entry point, slowest input and memory, printed at the end."""

    def __init__(self, name: str):
        self.name = name
        self.outcomes: Counter[str] = Counter()
        self.slowest = 0.0
        self.rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    @contextmanager
    def one(self):
        started = time.perf_counter()
        with time_limit(PER_INPUT_SECONDS):
            yield
        self.slowest = max(self.slowest, time.perf_counter() - started)

    def report(self) -> str:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        total = sum(self.outcomes.values())
        parts = ", ".join(f"{k} {v}" for k, v in self.outcomes.most_common())
        return (f"{self.name}: {total} inputs ({parts}); 0 crashes; slowest "
                f"{self.slowest * 1000:.0f} ms; peak RSS {rss / 1024:.0f} MB "
                f"(+{(rss - self.rss_before) / 1024:.0f} MB)")


def fuzz_settings(count: int):
    return settings(max_examples=count, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def mutations(data: bytes):
    """Byte-level damage to a valid file: flips, cuts, insertions, repeated chunks."""
    positions = st.integers(min_value=0, max_value=max(0, len(data) - 1))
    flip = st.tuples(st.just("flip"), positions, st.integers(1, 255))
    cut = st.tuples(st.just("cut"), positions, st.just(0))
    insert = st.tuples(st.just("insert"), positions, st.binary(min_size=1, max_size=64))
    chunk = st.tuples(st.just("repeat"), positions, st.integers(1, 2000))
    return st.lists(st.one_of(flip, cut, insert, chunk), min_size=1, max_size=6).map(
        lambda ops: _apply(data, ops))


def _apply(data: bytes, ops) -> bytes:
    out = bytearray(data)
    for kind, pos, arg in ops:
        pos = min(pos, max(0, len(out) - 1))
        if kind == "flip" and out:
            out[pos] ^= arg
        elif kind == "cut":
            del out[pos:]
        elif kind == "insert":
            out[pos:pos] = arg
        elif kind == "repeat":
            out[pos:pos] = bytes(out[pos:pos + 64]) * min(arg, 200)
    return bytes(out)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


# -- package import ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def laptops(tmp_path_factory):
    from fieldapp.services.setup import SetupRequest, run_setup
    from fieldapp.services.sync import exchange, identity
    from fieldapp.storage.store import Store

    folder = tmp_path_factory.mktemp("fuzz")
    commune = Store.open(folder / "commune.db")
    run_setup(commune, SetupRequest("Xã Tân Thành", "Lạng Sơn", ["Bản Khuông"],
                                    "Hoàng Thị Mai", "commune_staff", "246813"))
    registration = identity.register_device(commune, "Laptop 1", commune.users.list()[0]["id"])
    setup = identity.write_setup_file(commune, registration, folder / "m.fieldsetup")
    member = Store.open(folder / "member.db")
    identity.join(member, setup)
    village = member.villages.list()[0]["id"]
    for i in range(5):
        hid = member.households.add_household(village, f"Lý Văn Páo {i}")
        member.persons.add_person(hid, f"Lý Thị Mỷ {i}", birth_year=1970 + i)
    package = exchange.export_package(member, folder / "good.fieldsync").path
    yield folder, commune, member, registration, package, setup
    commune.close()
    member.close()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4), max_leaves=12)
TABLES = st.sampled_from(["households", "persons", "submissions", "attachments", "erasures",
                          "audit_events", "users", "villages", "communes", "nope", ""])
FIELDS = st.sampled_from(["head_name", "village_id", "full_name", "household_id",
                          "answers/a", "answers/r@k", "answers/", "properties.x", "deleted",
                          "target_table", "target_id", "merged_into", "x", ""])
STAMPS = st.one_of(st.text(max_size=30), st.builds(
    lambda ms, c, d: f"{ms}-{c:04x}-{d}", st.integers(0, 2**60), st.integers(0, 0xFFFF),
    st.sampled_from(["dddddddd", "", "x" * 40])))
LINE = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda t, r, s, c: json.dumps({"t": t, "r": r, "s": s, "c": c}),
              TABLES, st.text(max_size=40), STAMPS,
              st.lists(st.tuples(FIELDS, JSON_VALUES), max_size=5)).map(str.encode),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()))


def check_package(laptops, data: bytes, figures: Figures, name: str) -> None:
    from fieldapp.services.sync import exchange
    from fieldapp.storage import db as dbmod

    folder, commune, *_rest = laptops
    path = folder / name
    path.write_bytes(data)
    before = (commune.log.last_seq(), commune.scalar("select count(*) from sync_imports"))
    with figures.one():
        report = exchange.import_package(commune, path)
    figures.outcomes[report.status] += 1
    if report.status == "applied" and report.package_id:
        # Forget it was imported, so the next damaged copy of it is read again in full.
        with commune.transaction():
            commune.conn.execute("delete from sync_imports where package_id = ?",
                                 [report.package_id])
    if report.status == "refused":
        assert report.message
        assert (commune.log.last_seq(),
                commune.scalar("select count(*) from sync_imports")) == before
    path.unlink()
    if sum(figures.outcomes.values()) % 500 == 0:
        assert dbmod.quick_check(commune.conn) == []


def crafted_package(laptops, lines: list[bytes], number: int) -> bytes:
    from fieldapp.services.sync import identity
    from fieldapp.sync import crypto
    from fieldapp.sync import package as pkg

    folder, commune, member, registration, *_rest = laptops
    header = pkg.Header(package_id=f"fuzz-{number}-{random.random()}",
                        commune_id=commune.commune()["id"], source_device=member.device_id,
                        destination=f"hub:{commune.commune()['id']}", created_at="2026-11-20",
                        recipient_key="")
    box = identity.hub_public_key(commune)
    header.recipient_key = crypto.fingerprint(box)
    path = folder / "crafted.tmp"
    writer = pkg.PackageWriter(path, header, signing_seed=registration.signing_seed,
                               recipient_public=box)
    writer.add_lines([line if line.endswith(b"\n") else line + b"\n" for line in lines])
    writer.finish(pkg.Manifest(package_id=header.package_id, kind="to_hub",
                               entries=len(lines)))
    data = path.read_bytes()
    path.unlink()
    return data


def run_package_import(laptops, count: int) -> Figures:
    figures = Figures("package import")
    good = laptops[4].read_bytes()
    counter = iter(range(10**9))

    @fuzz_settings(count // 2)
    @given(mutations(good))
    def damaged(data):
        check_package(laptops, data, figures, "damaged.fieldsync")

    @fuzz_settings(count - count // 2)
    @given(st.lists(LINE, min_size=0, max_size=8))
    def signed_but_hostile(lines):
        check_package(laptops, crafted_package(laptops, lines, next(counter)), figures,
                      "crafted.fieldsync")

    damaged()
    signed_but_hostile()
    return figures


# -- XLSForm loading ------------------------------------------------------------------------------

CELLS = st.one_of(st.sampled_from(["text", "integer", "select_one yn", "begin_group", "end_group",
                                   "begin_repeat", "end_repeat", "calculate", "note", "a", "b",
                                   "${a}", "${a} > 1", "regex(., '^([a-z]+\\s?)*$')",
                                   "round(1, 1 div 0)", "sum(${a})", "=SUM(A1:A9)", "(((", "yes",
                                   "label", "list_name", "name", "type", "relevant"]),
                  st.text(max_size=30))


def workbook_bytes(rows) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    rows = [[ILLEGAL_CHARACTERS_RE.sub("", c) for c in row] for row in rows]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "relevant", "calculation", "constraint"])
    for row in rows:
        ws.append(list(row))
    choices = wb.create_sheet("choices")
    for row in (["list_name", "name", "label"], ["yn", "yes", "Có"], ["yn", "no", "Không"]):
        choices.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run_form_loading(count: int) -> Figures:
    from fieldapp.core.forms import FormLoadError, load_form

    figures = Figures("XLSForm loading")
    shipped = (paths.forms_dir() / "support_session.xlsx").read_bytes()

    def check(data: bytes, filename: str) -> None:
        with figures.one():
            try:
                load_form(data, filename)
            except FormLoadError as exc:
                assert exc.problems
                figures.outcomes["refused"] += 1
            else:
                figures.outcomes["loaded"] += 1

    @fuzz_settings(count // 2)
    @given(mutations(shipped))
    def damaged(data):
        check(data, "support_session.xlsx")

    @fuzz_settings(count - count // 2)
    @given(st.lists(st.tuples(*[CELLS] * 6), max_size=12), st.sampled_from(
        ["form.xlsx", "form.md", "form.csv", "form.xls"]))
    def generated(rows, filename):
        if filename == "form.xlsx":
            data = workbook_bytes(rows)
        else:
            sep = "|" if filename.endswith(".md") else ","
            data = "\n".join(sep.join(str(c) for c in row) for row in
                             [("survey", "", "", "", "", ""), ("", "type", "name", "label", "",
                                                               ""), *rows]).encode()
        check(data, filename)

    damaged()
    generated()
    return figures


# -- label packs (.po) ---------------------------------------------------------------------------

PO_LINES = st.one_of(st.sampled_from([
    'msgid ""', 'msgstr ""', '"Language: tyz\\n"', '"X-Script: Latn\\n"', "#, fuzzy",
    'msgctxt "household_survey:visit/consent:label"', 'msgid "Hộ có đồng ý trả lời không?"',
    'msgstr "<a href=\'x\'>bấm</a>"', 'msgstr "%s %d ${a}"', 'msgid_plural "x"',
    'msgstr[0] "a"', '"' + "x" * 5000 + '"', "", "#~ obsolete"]), st.text(max_size=60))


def run_po_import(count: int) -> Figures:
    from fieldapp.services import packs  # noqa: F401 - imported before pack_import (cycle)
    from fieldapp.services.forms import FormCatalog
    from fieldapp.services.pack_import import PackImportError, validate_pack

    figures = Figures(".po import")
    catalog = FormCatalog([paths.forms_dir()])
    forms = [catalog.current(info.form_id)[1] for info in catalog.infos()]
    shipped = (paths.i18n_dir() / "packs" / "tyz" / "support_session.po").read_bytes()

    def check(data: bytes) -> None:
        with figures.one():
            try:
                validate_pack(data, forms, label="fuzz.po")
            except PackImportError as exc:
                assert str(exc)
                figures.outcomes["refused"] += 1
            else:
                figures.outcomes["accepted"] += 1

    @fuzz_settings(count // 2)
    @given(mutations(shipped))
    def damaged(data):
        check(data)

    @fuzz_settings(count - count // 2)
    @given(st.lists(PO_LINES, max_size=30), st.sampled_from(["utf-8", "utf-16", "latin-1"]))
    def generated(lines, encoding):
        check("\n".join(lines).encode(encoding, errors="replace"))

    damaged()
    generated()
    return figures


# -- setup files ----------------------------------------------------------------------------------

def run_setup_files(laptops, count: int) -> Figures:
    from fieldapp.services.sync import identity

    figures = Figures("setup-file loading")
    folder = laptops[0]
    good = laptops[5].read_bytes()
    members = st.dictionaries(st.sampled_from(["setup.json", "setup.sig", "changes.jsonl",
                                               "forms/x/1/x.xlsx", "../evil", "packs/tyz/x.po"]),
                              st.binary(max_size=300) | JSON_VALUES.map(
                                  lambda v: json.dumps(v).encode()), max_size=5)

    def check(data: bytes) -> None:
        path = folder / "fuzz.fieldsetup"
        path.write_bytes(data)
        with figures.one():
            try:
                identity.preview_setup(path)
            except identity.SetupFileError as exc:
                assert str(exc)
                figures.outcomes["refused"] += 1
            else:
                figures.outcomes["read"] += 1

    @fuzz_settings(count // 2)
    @given(mutations(good))
    def damaged(data):
        check(data)

    @fuzz_settings(count - count // 2)
    @given(members)
    def generated(content):
        check(zip_of(content))

    damaged()
    generated()
    return figures


# -- the expression parser ------------------------------------------------------------------------

TOKENS = st.sampled_from(["(", ")", "[", "]", "${a}", "${b}", ".", "..", "/", "//", "@x", "*",
                          "+", "-", " div ", " mod ", " and ", " or ", "=", "!=", "<", ">=",
                          "'x'", '"y"', "’", "1", "1.5", "-0", "1e308", "count(", "sum(",
                          "round(", "regex(", "concat(", "if(", "selected(", "today()", ",",
                          "instance('x')/root/item", "position(..)", "foo(", "|", " ", "\u0000",
                          "ễ", "(((((((((("])


def run_expressions(count: int) -> Figures:
    from fieldapp.core.xpath import parse
    from fieldapp.core.xpath.errors import ExprError

    figures = Figures("expression parser")

    @fuzz_settings(count // 2)
    @given(st.lists(TOKENS, max_size=60).map("".join))
    def tokens(text):
        check(text)

    @fuzz_settings(count - count // 2)
    @given(st.text(max_size=120))
    def raw(text):
        check(text)

    def check(text: str) -> None:
        with figures.one():
            try:
                parse(text)
            except ExprError as exc:
                assert str(exc)
                figures.outcomes["refused"] += 1
            else:
                figures.outcomes["parsed"] += 1

    tokens()
    raw()
    return figures


# -- the command line -----------------------------------------------------------------------------

COMMANDS = ["demo", "check", "forms", "i18n", "setup-file", "export", "import", "dump",
            "backup", "restore", "erase"]
OPTIONS = ["--db", "--out", "--from", "--households", "--seed", "--join", "--user", "--name",
           "--to", "--full", "--dry-run", "--household", "--person", "--reason", "--debug",
           "--help", "--version", "check", "coverage", "update", "--screenshot", "--demo", "--"]


def cli_values(folder: Path):
    files = [str(folder / n) for n in ("none.db", "garbage.db", "empty.db", "commune.db",
                                       "good.fieldsync", "m.fieldsetup", "dir")]
    return st.one_of(st.sampled_from(files), st.sampled_from(["-1", "0", "1", "10**9",
                                                              "1000000000000", "abc", "", "ễ",
                                                              "\x00", "-", "--", "%s"]),
                     st.text(max_size=20))


def run_cli(laptops, count: int, monkeypatch) -> Figures:
    from fieldapp import cli
    from fieldapp.services import demo, demo_surveys
    from fieldapp.ui import app

    figures = Figures("command line")
    folder = laptops[0]
    (folder / "garbage.db").write_bytes(b"not a database" * 100)
    (folder / "empty.db").write_bytes(b"")
    (folder / "dir").mkdir(exist_ok=True)
    created = []
    monkeypatch.setattr(demo, "create_demo", lambda path, **kw: created.append(path) or {
        "commune": "x", "villages": 1, "households": 1, "persons": 1, "path": path})
    monkeypatch.setattr(demo_surveys, "create_member_demo", lambda *a, **k: {
        "commune": "x", "households": 1, "persons": 1})
    monkeypatch.setattr(app, "run", lambda *a, **k: 0)  # never opens a window
    from fieldapp.services import packs

    monkeypatch.setattr(packs, "run_update", lambda: [])  # never rewrites the shipped packs
    monkeypatch.setenv("FIELDAPP_PIN", "000000")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    words = st.one_of(st.sampled_from(OPTIONS), cli_values(folder))

    @fuzz_settings(count)
    @given(st.sampled_from(COMMANDS + [""]), st.lists(words, max_size=8))
    def argv(command, rest):
        args = ([command] if command else []) + rest
        with figures.one():
            try:
                code = cli.main(args)
            except SystemExit as done:  # argparse after --help or --version
                code = done.code
        assert code in (0, 1, 2, 130), (args, code)
        figures.outcomes[f"exit {code}"] += 1

    from contextlib import redirect_stderr, redirect_stdout

    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        argv()
    return figures


# -- the runs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ["package", "form", "po", "setup", "expression", "cli"])
def test_hostile_inputs_short(entry, laptops, monkeypatch):
    run(entry, laptops, SHORT, monkeypatch)


@pytest.mark.longrun
@pytest.mark.parametrize("entry", ["package", "form", "po", "setup", "expression", "cli"])
def test_hostile_inputs_long(entry, laptops, monkeypatch, capsys):
    figures = run(entry, laptops, LONG, monkeypatch)
    with capsys.disabled():
        print("\n" + figures.report())


def run(entry: str, laptops, count: int, monkeypatch) -> Figures:
    if entry == "package":
        figures = run_package_import(laptops, count)
    elif entry == "form":
        figures = run_form_loading(count)
    elif entry == "po":
        figures = run_po_import(count)
    elif entry == "setup":
        figures = run_setup_files(laptops, count)
    elif entry == "expression":
        figures = run_expressions(count)
    else:
        figures = run_cli(laptops, count, monkeypatch)
    assert sum(figures.outcomes.values()) >= count
    return figures


__all__ = ["UserError", "seed"]
