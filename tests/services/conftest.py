"""Fixtures of the service tests: demo communes made once per session, the Vietnamese
interface (printed documents are read back in Vietnamese)."""

from __future__ import annotations

import pytest

from fieldapp.i18n import catalog


@pytest.fixture(scope="session")
def make_demo(tmp_path_factory):
    """make_demo(households, seed) -> path of a demo commune, made once per session."""
    from fieldapp.services.demo import create_demo

    made = {}

    def make(households: int, seed: int):
        if (households, seed) not in made:
            path = tmp_path_factory.mktemp("demo") / f"demo-{households}-{seed}.db"
            create_demo(path, households=households, seed=seed)
            made[households, seed] = path
        return made[households, seed]

    return make


@pytest.fixture
def vietnamese():
    catalog.set_language("vi")


@pytest.fixture
def open_store():
    """open_store(path) -> a Store closed after the test."""
    from fieldapp.storage.store import Store

    opened = []

    def open_(path):
        opened.append(Store.open(path))
        return opened[-1]

    yield open_
    for store in opened:
        store.close()
