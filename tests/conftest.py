"""Shared fixtures: offscreen Qt, a fresh database per test, a quiet data folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from fieldapp.i18n import catalog  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Each test gets its own data folder, and starts in the English (source) interface."""
    monkeypatch.setenv("FIELDAPP_HOME", str(tmp_path / "home"))
    catalog.set_language("en")
    yield
    catalog.set_language("en")


@pytest.fixture
def store(tmp_path):
    from fieldapp.storage.store import Store

    s = Store.open(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture
def setup_store(store):
    """A store with a commune of three villages and one member."""
    from fieldapp.services.setup import SetupRequest, run_setup

    run_setup(store, SetupRequest("Xã Tân Thành", "Lạng Sơn",
                                  ["Bản Khuông", "Thôn Nà Lầu", "Bản Pò Mục"],
                                  "Hoàng Thị Mai", "member", "2468"))
    return store
