"""The main window's screens, one module each, and the default registration."""

from __future__ import annotations

from PySide6.QtWidgets import QStyle

from fieldapp.i18n.catalog import _
from fieldapp.ui.main_window import MainWindow


def register_default_screens(window: MainWindow) -> None:
    """Home, Households and Settings: the screens that work today."""
    from fieldapp.ui.screens.home import HomeScreen
    from fieldapp.ui.screens.households import HouseholdsScreen
    from fieldapp.ui.screens.settings import SettingsScreen

    pixmap = QStyle.StandardPixmap
    window.add_screen("home", lambda: _("Home"), HomeScreen, pixmap.SP_DirHomeIcon)
    window.add_screen("households", lambda: _("Households"), HouseholdsScreen,
                      pixmap.SP_FileDialogDetailedView)
    window.add_screen("settings", lambda: _("Settings"), SettingsScreen,
                      pixmap.SP_FileDialogInfoView)
