"""What every screen is given: the Store and app-wide signals (no global singletons)."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from fieldapp.i18n import catalog
from fieldapp.storage.store import Store
from fieldapp.ui.reader import BackgroundReader

FONT_SCALE_KEY = "ui_font_scale"


class AppContext(QObject):
    """The open database plus the signals screens listen to.

    - ``data_changed``: rows were written (setup, import, a saved form); screens re-read.
    - ``language_changed(str)``: the interface language switched; screens call retranslate().
      It mirrors :func:`fieldapp.i18n.catalog.on_language_changed`, whatever switched it.
    - ``font_scale_changed(float)``: the "large text" setting changed.

    ``reader`` runs slow reads (search, counts) off the UI thread.
    """

    data_changed = Signal()
    language_changed = Signal(str)
    font_scale_changed = Signal(float)

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.reader = BackgroundReader(store, self)
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

    # -- small helpers used by several screens -------------------------------------------------
    def commune(self) -> dict[str, Any] | None:
        return self.store.commune()

    def current_user(self) -> dict[str, Any] | None:
        user_id = self.store.meta("current_user_id")
        return self.store.get("users", user_id) if user_id else None

    def font_scale(self) -> float:
        try:
            return float(self.store.meta(FONT_SCALE_KEY) or 1.0)
        except ValueError:
            return 1.0

    def set_font_scale(self, scale: float) -> None:
        with self.store.transaction():
            self.store.set_meta(FONT_SCALE_KEY, str(scale))
        self.font_scale_changed.emit(scale)

    def set_language(self, language: str) -> None:
        """Remember the interface language in the database and switch to it now."""
        with self.store.transaction():
            self.store.set_meta("language", language)
        catalog.set_language(language)
