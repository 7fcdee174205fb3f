"""A real PostgreSQL for the warehouse tests: one throwaway cluster per session (initdb and
pg_ctl on a Unix socket in a temporary folder, fieldapp.warehouse.cluster), a new database in
it per test.

Without PostgreSQL or psycopg these tests are skipped, and the rest of the suite runs; with
FIELDAPP_REQUIRE_PG=1 (CI, which installs both) they fail instead, so a missing install step
cannot pass unseen.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REQUIRE = os.environ.get("FIELDAPP_REQUIRE_PG") == "1"
_NAMES = itertools.count(1)


def _missing() -> str | None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'fieldapp[warehouse]')"
    from fieldapp.warehouse.cluster import find_bin

    if find_bin() is None:
        return "PostgreSQL (initdb, pg_ctl) is not installed"
    return None


@pytest.fixture(scope="session")
def cluster():
    why = _missing()
    if why:
        if REQUIRE:
            pytest.fail(f"FIELDAPP_REQUIRE_PG=1 but {why}")
        pytest.skip(why)
    from fieldapp.warehouse.cluster import LocalCluster

    # A short path in /tmp: the socket's path is limited, and when root runs the tests the
    # cluster's own account must be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="fieldapp-pg-", dir="/tmp"))
    made = LocalCluster(folder, fast=True)
    try:
        made.ensure()
        yield made
    finally:
        made.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def dsn(cluster) -> str:
    """A new, empty database of the session's cluster."""
    return cluster.create_database(f"t{os.getpid()}_{next(_NAMES)}")


@pytest.fixture
def warehouse(dsn) -> str:
    """A new province warehouse (schema and indicator views); its DSN."""
    from fieldapp.services import warehouse as service

    service.init(dsn)
    return dsn


@pytest.fixture(scope="session")
def demo_commune(tmp_path_factory):
    """demo_commune(households, seed) -> path of a demo commune, made once per session."""
    from fieldapp.services.demo import create_demo

    made = {}

    def make(households: int, seed: int) -> Path:
        if (households, seed) not in made:
            path = tmp_path_factory.mktemp("demo") / f"demo-{households}-{seed}.db"
            create_demo(path, households=households, seed=seed)
            made[households, seed] = path
        return made[households, seed]

    return make
