"""Database reads that may be slow at commune scale, off the UI thread, latest request wins.

A search over 200,000 persons takes hundreds of milliseconds (tests/benchmarks/bench_search.py),
too long for the UI thread. :class:`BackgroundReader` runs such reads through
:func:`fieldapp.ui.tasks.run_in_background` on ONE worker thread that holds its own read
connection to the same file (WAL lets it read while the UI thread writes). Requests carry a
key ("search", "counts"): while one read for a key runs, newer requests for it replace each
other, and only the newest result is delivered, so typing never queues stale queries.

In the tasks' synchronous mode (tests) or for a database without a file, reads run at once on
the UI thread's workspace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool

from fieldapp.services.workspace import Workspace
from fieldapp.ui import tasks

log = logging.getLogger(__name__)

Read = Callable[[Workspace], Any]


class BackgroundReader(QObject):
    """Runs ``fn(workspace)`` on a worker with its own connection; see the module docstring."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace = workspace
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # the thread keeps its connection until close()
        self._worker: Workspace | None = None  # touched only on the worker thread
        self._latest: dict[str, tuple[int, Read, Callable[[Any], None]]] = {}
        self._busy: set[str] = set()
        self._serial = 0
        self._closed = False

    def request(self, key: str, fn: Read, on_result: Callable[[Any], None]) -> None:
        """Read ``fn(workspace)`` and hand the result to ``on_result`` on the UI thread."""
        if self._closed:
            return
        if tasks.is_synchronous() or self.workspace.path is None:
            on_result(fn(self.workspace))
            return
        self._serial += 1
        self._latest[key] = (self._serial, fn, on_result)
        if key not in self._busy:
            self._start(key)

    def _start(self, key: str) -> None:
        serial, fn, _on_result = self._latest[key]
        self._busy.add(key)
        tasks.run_in_background(lambda progress, cancelled: fn(self._workspace_here()),
                                lambda result: self._finished(key, serial, result),
                                lambda exc: self._failed(key, exc), pool=self._pool)

    def _workspace_here(self) -> Workspace:
        # Worker thread: open the second connection on first use.
        if self._worker is None:
            reopen = getattr(self.workspace, "reopen", None)  # a Workspace, or a bare Store
            self._worker = reopen() if reopen else type(self.workspace).open(self.workspace.path)
        return self._worker

    def _finished(self, key: str, serial: int, result: Any) -> None:
        self._busy.discard(key)
        if self._closed:
            return
        latest = self._latest.get(key)
        if latest is None:
            return
        if latest[0] == serial:
            del self._latest[key]
            latest[2](result)
        else:
            self._start(key)  # the user asked for something newer meanwhile

    def _failed(self, key: str, exc: BaseException) -> None:
        self._busy.discard(key)
        self._latest.pop(key, None)
        if not self._closed:
            tasks.show_failure(None, exc)

    def pending(self) -> bool:
        """True while a read has not delivered its result (tests, benchmarks)."""
        return bool(self._latest) or bool(self._busy)

    def close(self) -> None:
        """Drop pending reads and close the worker's connection (on the worker thread)."""
        if self._closed:
            return
        self._closed = True
        self._latest.clear()
        self._pool.waitForDone(10000)
        if self._worker is not None:
            worker, self._worker = self._worker, None
            self._pool.start(worker.close)  # a connection is closed by the thread that used it
            self._pool.waitForDone(10000)
