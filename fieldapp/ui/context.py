"""What every screen is given: the workspace, the writer and app-wide signals (no global
singletons)."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from fieldapp.i18n import catalog
from fieldapp.services.workspace import Workspace
from fieldapp.ui.reader import BackgroundReader
from fieldapp.ui.writer import WriteQueue


class AppContext(QObject):
    """The open database (read through ``workspace``, written through ``writer``) plus the
    signals screens listen to.

    - ``data_changed(Changed)``: records were written (setup, import, a saved form): which
      kinds and which records (fieldapp.core.changed); every write through ``writer`` emits it,
      and a screen refreshes only when it touches what the screen shows (its ``shows``).
    - ``language_changed(str)``: the interface language switched; screens call retranslate().
      It mirrors :func:`fieldapp.i18n.catalog.on_language_changed`, whatever switched it.
    - ``font_scale_changed(float)``: the "large text" setting changed.

    ``reader`` runs slow reads (search, counts) off the UI thread; ``writer`` runs every
    write, one at a time, on the writer thread.
    """

    data_changed = Signal(object)
    language_changed = Signal(str)
    font_scale_changed = Signal(float)

    def __init__(self, workspace: Workspace, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace = workspace
        self.reader = BackgroundReader(workspace, self)
        self.writer = WriteQueue(workspace, self)
        self.writer.written.connect(self.data_changed.emit)
        catalog.on_language_changed(self._on_catalog_language)

    def _on_catalog_language(self, language: str) -> None:
        # The catalog's listener list is global; a context whose Qt object is gone must not emit.
        if shiboken6.isValid(self):
            self.language_changed.emit(language)
        else:
            catalog.remove_listener(self._on_catalog_language)

    def dispose(self) -> None:
        """Stop listening to the catalog and stop background reads (when the window closes)."""
        catalog.remove_listener(self._on_catalog_language)
        self.reader.close()
        self.writer.close()

    # -- small helpers used by several screens -------------------------------------------------
    def commune(self) -> dict[str, Any] | None:
        return self.workspace.commune()

    def current_user(self) -> dict[str, Any] | None:
        return self.workspace.current_user()

    def village_scope(self) -> str | None:
        """A member's own village (their lists show it only); None for everyone else."""
        session = self.workspace.session
        if session is None or session.role != "member":
            return None
        return session.village_id

    def without_village(self) -> bool:
        """A member to whom commune staff have not yet assigned a village: their village's
        lists cannot be read until then (services.access)."""
        session = self.workspace.session
        return session is not None and session.role == "member" and not session.village_id

    def villages(self) -> list[dict[str, Any]]:
        """The villages this session's lists and choices offer: a member's own, or all."""
        scope = self.village_scope()
        villages = self.workspace.villages()
        return [v for v in villages if v["id"] == scope] if scope else villages

    def in_scope(self, village_id: str | None) -> bool:
        """Whether a record of ``village_id`` belongs in this session's lists (a commune-wide
        one, without a village, does)."""
        scope = self.village_scope()
        return scope is None or village_id in (None, "", scope)

    def font_scale(self) -> float:
        return self.workspace.setting("ui_font_scale")

    def set_font_scale(self, scale: float) -> None:
        self.writer.write(lambda ws: ws.set_setting("ui_font_scale", scale))
        self.font_scale_changed.emit(scale)

    def set_language(self, language: str) -> None:
        """Remember the interface language on this laptop and switch to it now."""
        self.writer.write(lambda ws: ws.set_setting("language", language))
        catalog.set_language(language)
