"""The guard of tests/conftest.py: a socket opened in a test fails it (fieldapp is offline)."""

import socket

import pytest


def test_opening_a_socket_raises(request):
    import sys

    # pytest's plugins hold every conftest module, whatever name sys.modules kept last
    candidates = list(request.config.pluginmanager.get_plugins()) + list(sys.modules.values())
    conftest = next(m for m in candidates
                    if hasattr(m, "_sockets_opened") and hasattr(m, "NetworkUsed"))

    with pytest.raises(conftest.NetworkUsed):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(conftest.NetworkUsed):
        socket.create_connection(("127.0.0.1", 9))
    # caught here, but the guard still fails the test at teardown: forget it for this one
    conftest._sockets_opened.clear()
