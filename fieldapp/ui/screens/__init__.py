"""The main window's screens, one module each, and the default registration."""

from __future__ import annotations

from fieldapp.i18n.catalog import _, pgettext
from fieldapp.services.access import TRAINER
from fieldapp.ui.main_window import MainWindow


def register_default_screens(window: MainWindow) -> None:
    """Home, Households, Sessions, Training, Teams, Reports, Sync, (for commune staff) Team
    members and Audit log, (for translators and commune staff) Translate, and Settings.

    Each screen's module is imported when the screen is first shown, so start-up pays only for
    Home.
    """
    session = window.context.workspace.session
    # A trainer works on training and the persons enrolled (services/access.py): the
    # registry and the support sessions are not theirs to browse.
    registry = session is None or session.role != TRAINER
    window.add_screen("home", lambda: _("Home"), _home, "SP_DirHomeIcon")
    if registry:
        window.add_screen("households", lambda: _("Households"), _households,
                          "SP_FileDialogDetailedView")
        window.add_screen("sessions", lambda: pgettext("screen", "Sessions"), _sessions,
                          "SP_DialogApplyButton")
    window.add_screen("training", lambda: _("Training"), _training, "SP_FileDialogListView")
    window.add_screen("teams", lambda: _("Teams"), _teams, "SP_DirLinkIcon")
    window.add_screen("reports", lambda: _("Reports"), _reports, "SP_FileDialogContentsView")
    window.add_screen("sync", lambda: _("Sync"), _sync, "SP_BrowserReload")
    if session is None or session.is_staff:  # commune staff manage the team, read the audit
        window.add_screen("team", lambda: pgettext("screen", "Team members"), _team,
                          "SP_DialogYesButton")
        window.add_screen("audit", lambda: _("Audit log"), _audit, "SP_FileDialogListView")
    if window.context.workspace.access.may_translate():  # translators and commune staff
        window.add_screen("translate", lambda: _("Translate"), _translate, "SP_FileDialogListView")
    window.add_screen("settings", lambda: _("Settings"), _settings, "SP_FileDialogInfoView")


def _home(context):
    from fieldapp.ui.screens.home import HomeScreen

    return HomeScreen(context)


def _households(context):
    from fieldapp.ui.screens.households import HouseholdsScreen

    return HouseholdsScreen(context)


def _sessions(context):
    from fieldapp.ui.screens.sessions import SessionsScreen

    return SessionsScreen(context)


def _training(context):
    from fieldapp.ui.screens.training import TrainingScreen

    return TrainingScreen(context)


def _teams(context):
    from fieldapp.ui.screens.teams import TeamsScreen

    return TeamsScreen(context)


def _reports(context):
    from fieldapp.ui.screens.reports import ReportsScreen

    return ReportsScreen(context)


def _sync(context):
    from fieldapp.ui.screens.sync import SyncScreen

    return SyncScreen(context)


def _team(context):
    from fieldapp.ui.screens.team import TeamScreen

    return TeamScreen(context)


def _audit(context):
    from fieldapp.ui.screens.audit import AuditScreen

    return AuditScreen(context)


def _translate(context):
    from fieldapp.ui.screens.translate import TranslateScreen

    return TranslateScreen(context)


def _settings(context):
    from fieldapp.ui.screens.settings import SettingsScreen

    return SettingsScreen(context)
