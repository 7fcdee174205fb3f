"""The app's one writer: every database write runs here, one at a time, on one thread.

As Anki's task manager does for its collection, all writes go through a single worker thread
that holds its own connection (and so its own :class:`~fieldapp.services.workspace.Workspace`).
Writes never overlap, their stamps come from one clock in one sequence, and the window never
waits on the database. ``write(fn, on_success, on_failure)`` runs ``fn(workspace)`` there and
calls back on the UI thread; long work (import, demo) passes ``progress`` to get a progress
dialog with Cancel (fieldapp.ui.tasks). ``call(fn)`` runs a short write there and waits for its
result, for flows that must know it at once (saving a form before closing it).

Each write's result says what it changed (:class:`fieldapp.core.changed.Changed`, the kinds of
records and their ids, as Anki's ``OpChanges``): :attr:`WriteQueue.written` carries it to the
UI thread, and the app's ``data_changed`` hands it to the screens, which refresh only when it
touches what they show.

In the tasks' synchronous mode (tests) the write runs at once in the calling thread, on the
writer's workspace, before ``write`` returns.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from fieldapp.core.changed import Changed
from fieldapp.services.workspace import Workspace
from fieldapp.ui import tasks

log = logging.getLogger(__name__)

Write = Callable[[Workspace], Any]
LongWrite = Callable[[Workspace, tasks.Progress, tasks.Cancelled], Any]


class WriteQueue(QObject):
    written = Signal(object)
    """A write finished (or failed after writing part of its work): what it changed
    (:class:`Changed`), on the UI thread, before the write's own callback."""

    def __init__(self, reading: Workspace, parent: QObject | None = None):
        super().__init__(parent)
        self._reading = reading
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # the thread keeps its connection until close()
        self._workspace: Workspace | None = None  # used only by the writer thread
        self._thread: threading.Thread | None = None
        self._closed = False

    def _here(self) -> Workspace:
        if self._workspace is None:
            path = self._reading.path
            self._workspace = self._reading.reopen() if path is not None else self._reading
        return self._workspace

    def write(self, fn: Write, on_success: Callable[[Any], None] | None = None,
              on_failure: Callable[[BaseException], None] | None = None, *,
              parent=None) -> None:
        """Run ``fn(workspace)`` on the writer thread; callbacks run on the UI thread."""
        self.write_long(lambda ws, _progress, _cancelled: fn(ws), on_success, on_failure,
                        parent=parent)

    def write_long(self, fn: LongWrite, on_success: Callable[[Any], None] | None = None,
                   on_failure: Callable[[BaseException], None] | None = None, *,
                   progress: str | None = None, cancellable: bool = False,
                   parent=None, steps=None) -> None:
        """Like :meth:`write` for work that reports ``progress(done, total)`` and checks
        ``cancelled()``; a progress dialog appears if it takes a while."""
        if self._closed:
            log.warning("write after the database was closed; ignored")
            return
        outcome: dict[str, Changed] = {}

        def run(progress_, cancelled_):
            workspace = self._here()
            try:
                return fn(workspace, progress_, cancelled_)
            finally:
                outcome["changed"] = workspace.store.writer.changed.take()

        def announce() -> None:
            changed = outcome.pop("changed", None)
            if changed:
                self.written.emit(changed)

        def succeeded(result: Any) -> None:
            announce()
            if on_success is not None:
                on_success(result)

        def failed(exc: BaseException) -> None:
            announce()  # what it wrote before failing (files of an import applied already)
            if on_failure is not None:
                on_failure(exc)
            else:
                tasks.show_failure(parent, exc)

        tasks.run_in_background(run, succeeded, failed, progress=progress,
                                cancellable=cancellable, parent=parent, pool=self._pool,
                                steps=steps)

    def call(self, fn: Write) -> Any:
        """Run a short ``fn(workspace)`` on the writer thread and return its result (or raise
        its exception) here, after the writes queued before it."""
        if self._closed:
            raise RuntimeError("the database was closed")
        if threading.current_thread() is self._thread:
            return fn(self._here())  # inside a write: that write announces what changed
        done = threading.Event()
        outcome: list[Any] = []
        changed: list[Changed] = []

        def run() -> None:
            if not tasks.is_synchronous():
                self._thread = threading.current_thread()
            workspace = self._here()
            try:
                outcome.append((True, fn(workspace)))
            except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread
                outcome.append((False, exc))
            finally:
                changed.append(workspace.store.writer.changed.take())
                done.set()

        if tasks.is_synchronous():
            run()
        else:
            self._pool.start(_Runnable(run))
            done.wait()
        if changed and changed[0]:
            self.written.emit(changed[0])
        ok, value = outcome[0]
        if ok:
            return value
        raise value

    def close(self) -> None:
        """Finish queued writes, then close the writer's connection (on its thread)."""
        if self._closed:
            return
        self._closed = True
        self._pool.waitForDone(-1)
        workspace, self._workspace = self._workspace, None
        if workspace is not None and workspace is not self._reading:
            if tasks.is_synchronous():
                workspace.close()
            else:
                self._pool.start(workspace.close)
                self._pool.waitForDone(10000)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], None]):
        super().__init__()
        self._fn = fn

    def run(self) -> None:
        self._fn()
