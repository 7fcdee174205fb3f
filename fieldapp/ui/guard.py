"""When the app's own files change under it (installed again while it is open, a half-copied
folder): keep working where it can, and say clearly what to do where it cannot, never a
crash dialog.

- :func:`own_files_problem` tells an error caused by the app's own files (a module that no
  longer imports, a form, catalog or font that is gone or half-written) from others.
- :class:`ScreenProblem` stands in for a screen that could not be built, with the reason and
  *Try again* (the main window builds the screen again once the files are whole).
- :func:`install_excepthook` replaces the last-resort handler for errors in Qt's event loop:
  one message box saying what happened and what to do, a log line with the traceback.
"""

from __future__ import annotations

import logging
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from fieldapp.i18n.catalog import _
from fieldapp.ui.widgets import Heading, MutedLabel

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parents[1]


def _our_folders() -> list[Path]:
    folders = [PACKAGE, PACKAGE.parent]
    try:
        from fieldapp import paths

        folders.append(paths.resource_root())
    except Exception:  # noqa: BLE001 - the resources themselves may be what is missing
        pass
    return folders


def _inside(filename, folders: list[Path]) -> bool:
    if not filename:
        return False
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return False
    return any(path == folder or folder in path.parents for folder in folders)


def own_files_problem(exc: BaseException) -> str | None:
    """What to tell the user when ``exc`` comes from the app's own files, else None."""
    from fieldapp import paths

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, paths.MissingFiles):
            return _own_files_message()
        if isinstance(exc, ImportError) and (exc.name or "").split(".")[0] in (
                "fieldapp", "PySide6", "shiboken6", "pyxform", "reportlab", "openpyxl", "babel",
                "pypdfium2", "pypdf", "nacl", "sqlcipher3", "sqlite_utils"):
            return _own_files_message()
        if isinstance(exc, SyntaxError) and _inside(exc.filename, _our_folders()):
            return _own_files_message()
        if isinstance(exc, OSError) and _inside(exc.filename, _our_folders()):
            return _own_files_message()
        if isinstance(exc, (zipfile.BadZipFile, EOFError, struct.error)) \
                or (isinstance(exc, ValueError) and "marshal" in str(exc)):
            return _own_files_message()
        exc = exc.__cause__ or exc.__context__
    return None


def _own_files_message() -> str:
    return _("fieldapp's own files changed while it was open, probably because it is being "
             "installed again. Wait until the installation has finished, then press Try "
             "again, or close fieldapp and open it again. If this keeps happening, install "
             "fieldapp again. Your data is not affected.")


def problem_text(exc: BaseException) -> str:
    """The line for the user: the own-files message, a refusal's own words, or a short
    generic line (the traceback goes to the log)."""
    from fieldapp.errors import UserError

    own = own_files_problem(exc)
    if own is not None:
        return own
    if isinstance(exc, UserError):
        return str(exc)
    return _("Something went wrong: {error}").format(error=exc or type(exc).__name__)


class ScreenProblem(QWidget):
    """In place of a screen that could not be built: why, and Try again."""

    def __init__(self, exc: BaseException, retry: Callable[[], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("screen_problem")
        self.exc = exc
        self.heading = Heading(factor=1.3)
        self.text = MutedLabel()
        self.text.setObjectName("screen_problem_text")
        self.retry_button = QPushButton()
        self.retry_button.setObjectName("screen_retry")
        self.retry_button.clicked.connect(lambda _checked=False: retry())
        row = QHBoxLayout()
        row.addWidget(self.retry_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        layout.addLayout(row)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("This screen cannot open now"))
        self.text.setText(problem_text(self.exc))
        self.retry_button.setText(_("Try again"))


def forget_failed_imports() -> None:
    """Let the next import read the files again (after they were replaced)."""
    import importlib

    importlib.invalidate_caches()
    for name in [n for n, module in sys.modules.items()
                 if module is None and n.startswith("fieldapp")]:
        del sys.modules[name]


_showing = False


def report_unexpected(exc_type, exc, tb, *, parent=None) -> None:
    """Log an error that reached Qt's event loop and tell the user in one message box."""
    global _showing
    log.error("unexpected error", exc_info=(exc_type, exc, tb))
    if _showing or exc is None or isinstance(exc, KeyboardInterrupt):
        return
    _showing = True
    try:
        from fieldapp.ui import widgets

        widgets.show_message(parent, "warning", _("fieldapp"), problem_text(exc))
    except Exception:  # noqa: BLE001 - never fail while reporting a failure
        log.exception("could not show the error")
    finally:
        _showing = False


def install_excepthook() -> Callable[[], None]:
    """Report errors in Qt's event loop with :func:`report_unexpected` (the app's window keeps
    running) instead of a crash dialog; returns a function that puts the old hook back."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb) -> None:
        report_unexpected(exc_type, exc, tb)

    sys.excepthook = hook

    def restore() -> None:
        sys.excepthook = previous

    return restore
