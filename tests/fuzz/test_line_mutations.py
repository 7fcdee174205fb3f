"""Real change lines of a member's package, one value changed at a time (hypothesis), signed by
the member's laptop and imported at the commune: each package applies, or is refused with the
reason of that change (never the catch-all "content fieldapp does not write", which says a
check is missing), and a refused one leaves the commune's database as it was. The default
suite runs a few dozen; ``pytest -m longrun tests/fuzz`` runs FIELDAPP_FUZZ_EXAMPLES."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.core.clock import new_id
from fieldapp.services.sync import exchange, identity
from fieldapp.services.sync.messages import unexpected_content_message
from fieldapp.storage import scope
from fieldapp.sync import crypto, package as pkg
from fieldapp.sync.codec import encode
from sync_world import new_commune

SHORT, LONG = 30, int(os.environ.get("FIELDAPP_FUZZ_EXAMPLES", "2000"))

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-2**70, 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.sampled_from(["", "x" * 70_000, "a\x00b", "\u0301", "Nguye\u0302\u0303n", "1985",
                     "{not json", "[]", "answers/../x", {"b64": "AAAA"}, {"b64": "*"}]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(),
                                                         max_size=2))
FIELDS = st.sampled_from(["head_name", "village_id", "household_id", "full_name", "birth_year",
                          "merged_into", "deleted", "properties.x", "answers/q", "detail",
                          "role", "pin_hash", "size", "content", "x", ""])


@pytest.fixture(scope="module")
def laptops(tmp_path_factory):
    """A commune and a member laptop as ``fieldapp demo --join`` makes it (households,
    persons, surveys), and the lines of its package."""
    from fieldapp.services.demo_surveys import create_member_demo
    from fieldapp.storage.store import Store

    folder = tmp_path_factory.mktemp("mutations")
    commune = new_commune(folder / "commune.db", ["Bản Khuông", "Bản Nà"])
    village = commune.villages.list()[0]["id"]
    user = commune.users.add_user("Nông Văn Một", "member", village_id=village)
    registration = identity.register_device(commune, "Laptop 1", user)
    setup = identity.write_setup_file(commune, registration, folder / "m1.setup")
    create_member_demo(folder / "m1.db", setup, households=3, seed=1)
    member = Store.open(folder / "m1.db")
    lines = [json.loads(line) for line in encode(
        c for _seq, c in scope.outgoing(member, 0, only_device=member.device_id))]
    assert {"households", "persons", "submissions"} <= {line["t"] for line in lines}
    yield folder, commune, member, lines
    member.close()
    commune.close()


def signed(laptops, lines: list[dict]) -> object:
    folder, commune, member, _lines = laptops
    hub = commune.commune()["id"]
    seed, _box = identity.device_keys(member)
    box = identity.hub_public_key(commune)
    header = pkg.Header(package_id=new_id(), commune_id=hub, source_device=member.device_id,
                        destination=f"hub:{hub}", created_at="2026-11-20",
                        recipient_key=crypto.fingerprint(box))
    path = folder / "mutated.fieldsync"
    writer = pkg.PackageWriter(path, header, signing_seed=seed, recipient_public=box)
    writer.add_lines([(json.dumps(line, ensure_ascii=False) + "\n").encode() for line in lines])
    writer.finish(pkg.Manifest(package_id=header.package_id, kind="to_hub", entries=len(lines)))
    return path


MUTATION = st.tuples(st.integers(0, 10**6), st.integers(0, 10**6),
                     st.sampled_from(["value", "field", "record", "table"]), FIELDS, VALUES)


def run(laptops, count: int) -> None:
    _folder, commune, _member, _lines = laptops

    @settings(max_examples=count, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(MUTATION)
    def one(mutation):
        try:
            with commune.transaction():
                check_one(laptops, mutation)
                raise _Undo
        except _Undo:
            pass

    one()


class _Undo(Exception):
    """Rolls an example's import back: every example starts from the same commune."""


def check_one(laptops, mutation) -> None:
    _folder, commune, _member, lines = laptops
    at, item, what, field, value = mutation
    lines = json.loads(json.dumps(lines))
    line = lines[at % len(lines)]
    pair = line["c"][item % len(line["c"])]
    if what == "value":
        pair[1] = value
    elif what == "field":
        pair[0] = field
    elif what == "record":
        line["r"] = value if isinstance(value, str) and value else new_id()
    else:
        line["t"] = "persons" if line["t"] == "households" else "households"
    before = (list(commune.dump()), commune.log.count())
    report = exchange.import_package(commune, signed(laptops, lines))
    assert report.message != unexpected_content_message(), (mutation, report)
    if report.status == "refused":
        assert report.message and (list(commune.dump()), commune.log.count()) == before
    else:
        assert report.status == "applied", report


def test_one_value_changed_in_a_real_package(laptops):
    run(laptops, SHORT)


@pytest.mark.longrun
def test_one_value_changed_in_a_real_package_long(laptops):
    run(laptops, LONG)
