"""Shared fixtures: offscreen Qt, a fresh database per test, a quiet data folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from fieldapp.i18n import catalog  # noqa: E402


class NetworkUsed(AssertionError):
    """A test opened a socket: fieldapp never uses the network."""


_sockets_opened: list[str] = []


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any socket opened in the test fails the test, even if the code caught the error."""
    import socket

    real_init = socket.socket.__init__

    def refuse(self, family=-1, type=-1, proto=-1, fileno=None):
        if fileno is not None:  # wrapping an inherited descriptor, not opening a socket
            return real_init(self, family, type, proto, fileno)
        import traceback

        _sockets_opened.append("".join(traceback.format_stack(limit=8)))
        raise NetworkUsed("fieldapp opened a socket: it must never use the network")

    monkeypatch.setattr(socket.socket, "__init__", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: refuse(None))
    _sockets_opened.clear()
    yield
    if _sockets_opened:
        opened = _sockets_opened[:]
        _sockets_opened.clear()
        pytest.fail("a socket was opened during the test:\n" + opened[0], pytrace=False)


@pytest.fixture(autouse=True)
def _fast_pin_derivation(monkeypatch):
    """PINs derived at Argon2id's lowest cost in tests (each entry records its own cost; the
    real cost is measured by tests/benchmarks/bench_pin.py)."""
    from fieldapp.storage import keyring

    monkeypatch.setattr(keyring, "KDF", keyring.KdfLimits(ops=1, mem=8 * 1024 * 1024))


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
                                  "Hoàng Thị Mai", "member", "246813"))
    return store


def _complete_form(instance) -> None:
    """Answer every remaining required question with its first choice ("nobody" where a
    question about everyone offers it) or a plain value."""
    for _ in range(200):
        errors = instance.errors()
        if not errors:
            return
        path, _message = errors[0]
        field = instance.field_at(path)
        if field.is_select:
            offered = [c.name for c in instance.choices_for(path)]
            value = "nobody" if "nobody" in offered else offered[0]
        elif field.type == "integer":
            value = "1"
        elif field.type == "acknowledge":
            value = "OK"
        else:
            value = "xxx"
        instance.set_value(path, value)
    raise AssertionError(f"could not complete the form: {instance.errors()[:3]}")


@pytest.fixture
def complete_form():
    """A function that fills in whatever a FormInstance still requires (service-level tests)."""
    return _complete_form
