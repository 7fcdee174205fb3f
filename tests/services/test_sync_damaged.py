"""Damaged and crafted packages among good ones (tests/damaged_packages.py): each damaged file is
refused alone, with one clear line in the interface language, the good files imported with it
apply, and the database holds nothing of the refused one. Through the Sync screen's service
(``workspace.sync.import_files``) and ``fieldapp import`` with several files at once; the
crafted cases a person would try, then random damage chosen by hypothesis (at the archive,
inside the archive behind a valid signature, and in the manifest)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from damaged_packages import CRAFTED, Laptops, build, inner_parts, inner_zip, resealed, seal
from fieldapp import cli
from fieldapp.services.sync.messages import _REASONS, unexpected_content_message
from fieldapp.services.workspace import Workspace
from fieldapp.storage.store import Store


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Laptops:
    return build(tmp_path_factory.mktemp("damaged"))


@pytest.fixture(scope="module")
def reference(world) -> list[str]:
    """The commune after importing the two good packages alone."""
    folder = Path(tempfile.mkdtemp(prefix="reference-"))
    try:
        commune = _fresh(world, folder)
        workspace = Workspace.open(commune)
        try:
            assert all(r.status == "applied" for r in workspace.sync.import_files(
                world.good, dry_run=False))
            return list(workspace.store.dump())
        finally:
            workspace.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _fresh(world: Laptops, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "commune.db"
    shutil.copy2(world.commune, target)
    return target


def _messages() -> set[str]:
    from fieldapp.i18n.catalog import _

    return {_(text).split("{")[0] for text in _REASONS.values()}


def _import_together(world: Laptops, folder: Path, bad: Path) -> list:
    """The good packages with ``bad`` between them, through the Sync screen's service."""
    workspace = Workspace.open(_fresh(world, folder))
    try:
        reports = workspace.sync.import_files([world.good[0], bad, world.good[1]],
                                              dry_run=False)
        return reports, list(workspace.store.dump())
    finally:
        workspace.close()


def check_refused_alone(world: Laptops, reference: list[str], bad: Path, words: str = "",
                        *, may_apply: bool = False, whole: bool = True) -> str:
    """Import ``bad`` between the good packages: they apply; ``bad`` is refused with one line
    (containing ``words``) and leaves nothing, or (``may_apply``: damage that changed nothing
    that matters) applies, whole (``whole``: with the household only it holds). Returns the
    status of ``bad``."""
    with tempfile.TemporaryDirectory(prefix="damaged-") as folder:
        reports, dump = _import_together(world, Path(folder), bad)
    assert [reports[0].status, reports[2].status] == ["applied", "applied"], reports
    report = reports[1]
    if report.status == "applied" and may_apply:
        assert not whole or any(world.later_head in line for line in dump)
        return "applied"
    assert report.status == "refused", (bad.name, report)
    message = report.message
    assert message and "\n" not in message and words in message, message
    assert message.startswith(tuple(_messages())) or message == unexpected_content_message(), \
        message
    assert dump == reference  # nothing of the refused file, everything of the good ones
    return "refused"


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_a_crafted_package_is_refused_alone(world, reference, tmp_path, case):
    make, words = CRAFTED[case]
    bad = make(world, tmp_path / "bad.fieldsync")
    check_refused_alone(world, reference, bad, words)


def test_the_command_line_imports_the_good_files_and_says_why_each_bad_one_is_refused(
        world, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "vi")
    bad = [make(world, tmp_path / f"{n:02d}-bad.fieldsync")
           for n, (make, _words) in enumerate(CRAFTED.values())]
    db = _fresh(world, tmp_path / "laptop")
    code = cli.main(["import", "--db", str(db), str(world.good[0]), *map(str, bad),
                     str(world.good[1])])
    said = capsys.readouterr()
    assert code == 1 and said.err == ""  # refused files: exit 1, one line each, no error
    lines = said.out.splitlines()
    assert len(lines) == len(bad) + 2
    assert all(": bị từ chối: " in line for line in lines[1:-1]), lines
    assert "không lường trước" not in said.out + said.err  # never "unexpected error"
    assert "không đầy đủ" in lines[1 + list(CRAFTED).index("truncated at half")]
    assert "Xã Khác" in lines[1 + list(CRAFTED).index("another commune's package")]
    assert "cập nhật" in lines[1 + list(CRAFTED).index("a newer format")]
    store = Store.open(db)
    try:
        heads = {json.loads(line).get("head_name") for line in store.dump()}
        assert {"Lý Văn Páo", "Nông Thị Lan"} <= heads and world.later_head not in heads
    finally:
        store.close()


# -- random damage ----------------------------------------------------------------------------

def _damage(data: bytes, draw) -> bytes:
    """One to three of: cut the end, flip bits, overwrite a run, insert or delete bytes."""
    data = bytearray(data)
    for _n in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cut", "flip", "overwrite", "insert", "delete"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "cut":
            del data[at:]
        elif kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "overwrite":
            run = draw(st.binary(min_size=1, max_size=16))
            data[at:at + len(run)] = run
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at:at + draw(st.integers(1, 16))]
    return bytes(data)


EXAMPLES = int(os.environ.get("FIELDAPP_DAMAGED_EXAMPLES", "25"))
"""Examples of each random test: 25 in the suite (the same ones every run); a long run sets
FIELDAPP_DAMAGED_EXAMPLES=500 and gets new ones each time."""
RANDOM = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 25,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])


@RANDOM
@given(draw=st.data())
def test_random_damage_to_the_file(world, reference, draw):
    """Damage anywhere in the file (the outer archive, its header, the signature, the sealed
    key, the encrypted content)."""
    with tempfile.TemporaryDirectory() as folder:
        bad = Path(folder) / "bad.fieldsync"
        bad.write_bytes(_damage(world.later.read_bytes(), draw.draw))
        check_refused_alone(world, reference, bad, may_apply=True)


@RANDOM
@given(draw=st.data())
def test_random_damage_inside_a_signed_package(world, reference, draw):
    """Damage to the inner archive behind a valid signature: what a member laptop could send."""
    header, inner = inner_parts(world.later, world)
    with tempfile.TemporaryDirectory() as folder:
        bad = seal(world, Path(folder) / "bad.fieldsync", _damage(inner, draw.draw), header)
        check_refused_alone(world, reference, bad, may_apply=True)


JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
FIELDS = ["package_id", "kind", "source_user", "counts", "entries", "acknowledges",
          "log_range", "forms", "packs", "members", "extra"]


@RANDOM
@given(changes=st.dictionaries(st.sampled_from(FIELDS), JSON, min_size=1, max_size=3))
def test_a_manifest_of_any_shape(world, reference, changes):
    """The member laptop rewrites fields of its manifest with any JSON value."""
    def change(manifest: dict, members: dict) -> None:
        manifest.update(changes)

    with tempfile.TemporaryDirectory() as folder:
        bad = resealed(world, Path(folder) / "bad.fieldsync", change)
        check_refused_alone(world, reference, bad, may_apply=True)


@RANDOM
@given(entries=st.lists(st.tuples(st.sampled_from(
    ["changes-0001.jsonl", "changes-0002.jsonl", "forms/f/1/f.xlsx", "packs/tyz/f.po",
     "../escape", "manifest.json"]), st.binary(max_size=64)), max_size=4),
    listed=st.booleans())
def test_an_inner_archive_of_any_entries(world, reference, entries, listed):
    """Entries of any name and content, listed in the manifest or not."""
    import warnings

    header, _inner = inner_parts(world.later, world)
    members = dict(entries)
    manifest = None if listed else {"package_id": header.package_id, "kind": "to_hub",
                                    "members": {}}
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as folder:
        warnings.simplefilter("ignore")  # duplicate names in the archive
        if manifest is None:
            import hashlib

            manifest = {"package_id": header.package_id, "kind": "to_hub", "members": {
                n: hashlib.sha256(d).hexdigest() for n, d in members.items()}}
        bad = seal(world, Path(folder) / "bad.fieldsync",
                   inner_zip({}, manifest, extra=entries), header)
        check_refused_alone(world, reference, bad, may_apply=True, whole=False)
