"""The main window's screens, one module each, and the default registration."""

from __future__ import annotations

from fieldapp.i18n.catalog import _
from fieldapp.ui.main_window import MainWindow


def register_default_screens(window: MainWindow) -> None:
    """Home, Households, Sync and Settings.

    Each screen's module is imported when the screen is first shown, so start-up pays only for
    Home.
    """
    window.add_screen("home", lambda: _("Home"), _home, "SP_DirHomeIcon")
    window.add_screen("households", lambda: _("Households"), _households,
                      "SP_FileDialogDetailedView")
    window.add_screen("sync", lambda: _("Sync"), _sync, "SP_BrowserReload")
    session = window.context.workspace.session
    if session is None or session.is_staff:  # commune staff manage the team, read the audit
        window.add_screen("team", lambda: _("Team"), _team, "SP_DirLinkIcon")
        window.add_screen("audit", lambda: _("Audit log"), _audit, "SP_FileDialogListView")
    window.add_screen("settings", lambda: _("Settings"), _settings, "SP_FileDialogInfoView")


def _home(context):
    from fieldapp.ui.screens.home import HomeScreen

    return HomeScreen(context)


def _households(context):
    from fieldapp.ui.screens.households import HouseholdsScreen

    return HouseholdsScreen(context)


def _sync(context):
    from fieldapp.ui.screens.sync import SyncScreen

    return SyncScreen(context)


def _team(context):
    from fieldapp.ui.screens.team import TeamScreen

    return TeamScreen(context)


def _audit(context):
    from fieldapp.ui.screens.audit import AuditScreen

    return AuditScreen(context)


def _settings(context):
    from fieldapp.ui.screens.settings import SettingsScreen

    return SettingsScreen(context)
