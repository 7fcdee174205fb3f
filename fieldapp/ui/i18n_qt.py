"""Qt's side of interface translation: Qt's own strings from our gettext catalogs, and QLocale.

PySide6 ships no Vietnamese translation of Qt's own strings (dialog buttons, file dialog, the
line-edit context menu), so :class:`GettextTranslator` answers Qt's ``translate(context, text)``
calls with ``pgettext(context, text)`` from the interface catalog. The strings Qt asks for are
listed in :data:`QT_STRINGS` (contexts checked by logging every translate() call PySide6 6.11
and 6.12 make while showing a message box, a button box, a wizard and non-native file
dialogs), so extraction puts them into i18n/fieldapp.pot.

Start-up: ``install_qt_translator(app)`` (fonts: fieldapp.ui.fonts). After that every
``catalog.set_language(...)`` re-installs the translator, which makes Qt send a LanguageChange
event to every widget; screens retranslate in ``changeEvent`` (or a catalog listener) without
being rebuilt, so nothing typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from fieldapp.i18n import catalog
from fieldapp.i18n.catalog import pgettext_noop

QT_STRINGS = (
    # QDialogButtonBox / QMessageBox standard buttons
    pgettext_noop("QPlatformTheme", "OK"),
    pgettext_noop("QPlatformTheme", "Cancel"),
    pgettext_noop("QPlatformTheme", "&Yes"),
    pgettext_noop("QPlatformTheme", "&No"),
    pgettext_noop("QPlatformTheme", "Yes to &All"),
    pgettext_noop("QPlatformTheme", "N&o to All"),
    pgettext_noop("QPlatformTheme", "Save"),
    pgettext_noop("QPlatformTheme", "Save All"),
    pgettext_noop("QPlatformTheme", "Open"),
    pgettext_noop("QPlatformTheme", "Close"),
    pgettext_noop("QPlatformTheme", "Apply"),
    pgettext_noop("QPlatformTheme", "Reset"),
    pgettext_noop("QPlatformTheme", "Restore Defaults"),
    pgettext_noop("QPlatformTheme", "Discard"),
    pgettext_noop("QPlatformTheme", "Help"),
    pgettext_noop("QPlatformTheme", "Abort"),
    pgettext_noop("QPlatformTheme", "Retry"),
    pgettext_noop("QPlatformTheme", "Ignore"),
    pgettext_noop("QMessageBox", "Show Details..."),
    pgettext_noop("QMessageBox", "Hide Details..."),
    # QWizard (first-run setup)
    pgettext_noop("QWizard", "< &Back"),
    pgettext_noop("QWizard", "&Next >"),
    pgettext_noop("QWizard", "&Finish"),
    pgettext_noop("QWizard", "Cancel"),
    pgettext_noop("QWizard", "Commit"),
    pgettext_noop("QInputDialog", "Enter a value:"),
    pgettext_noop("QProgressDialog", "Cancel"),
    # Context menu of QLineEdit, QSpinBox, QDateEdit and of multi-line text boxes
    pgettext_noop("QLineEdit", "&Undo"),
    pgettext_noop("QLineEdit", "&Redo"),
    pgettext_noop("QLineEdit", "Cu&t"),
    pgettext_noop("QLineEdit", "&Copy"),
    pgettext_noop("QLineEdit", "&Paste"),
    pgettext_noop("QLineEdit", "Delete"),
    pgettext_noop("QLineEdit", "Select All"),
    pgettext_noop("QWidgetTextControl", "&Undo"),
    pgettext_noop("QWidgetTextControl", "&Redo"),
    pgettext_noop("QWidgetTextControl", "Cu&t"),
    pgettext_noop("QWidgetTextControl", "&Copy"),
    pgettext_noop("QWidgetTextControl", "&Paste"),
    pgettext_noop("QWidgetTextControl", "Delete"),
    pgettext_noop("QWidgetTextControl", "Select All"),
    pgettext_noop("QTabBar", "Scroll Left"),
    pgettext_noop("QTabBar", "Scroll Right"),
    pgettext_noop("QAbstractSpinBox", "&Step up"),
    pgettext_noop("QAbstractSpinBox", "Step &down"),
    # Qt's own (non-native) file dialog, used where the platform has no native one
    pgettext_noop("QFileDialog", "Open"),
    pgettext_noop("QFileDialog", "Save As"),
    pgettext_noop("QFileDialog", "Find Directory"),
    pgettext_noop("QFileDialog", "&Open"),
    pgettext_noop("QFileDialog", "&Save"),
    pgettext_noop("QFileDialog", "&Choose"),
    pgettext_noop("QFileDialog", "&Look in:"),
    pgettext_noop("QFileDialog", "File &name:"),
    pgettext_noop("QFileDialog", "Files of &type:"),
    pgettext_noop("QFileDialog", "Directory:"),
    pgettext_noop("QFileDialog", "All Files (*)"),
    pgettext_noop("QFileDialog", "Directories"),
    pgettext_noop("QFileDialog", "Files"),
    pgettext_noop("QFileDialog", "Back"),
    pgettext_noop("QFileDialog", "Forward"),
    pgettext_noop("QFileDialog", "Parent Directory"),
    pgettext_noop("QFileDialog", "Go back"),
    pgettext_noop("QFileDialog", "Go forward"),
    pgettext_noop("QFileDialog", "Go to the parent directory"),
    pgettext_noop("QFileDialog", "Create New Folder"),
    pgettext_noop("QFileDialog", "Create a New Folder"),
    pgettext_noop("QFileDialog", "&New Folder"),
    pgettext_noop("QFileDialog", "New Folder"),
    pgettext_noop("QFileDialog", "&Rename"),
    pgettext_noop("QFileDialog", "&Delete"),
    pgettext_noop("QFileDialog", "Show &hidden files"),
    # Trailing space: Qt appends a column name ("Show Size") in the detail view's header menu.
    pgettext_noop("QFileDialog", "Show "),
    pgettext_noop("QFileDialog", "List View"),
    pgettext_noop("QFileDialog", "Detail View"),
    pgettext_noop("QFileDialog", "Change to list view mode"),
    pgettext_noop("QFileDialog", "Change to detail view mode"),
    pgettext_noop("QFileDialog", "Sidebar"),
    pgettext_noop("QFileDialog", "List of places and bookmarks"),
    pgettext_noop("QFileDialog", "Recent Places"),
    pgettext_noop("QFileDialog", "%1 already exists.\nDo you want to replace it?"),
    pgettext_noop("QFileDialog", "Are you sure you want to delete '%1'?"),
    pgettext_noop("QFileDialog", "%1\nFile not found.\nPlease verify the correct file name was given."),
    pgettext_noop("QFileSystemModel", "Name"),
    pgettext_noop("QFileSystemModel", "Size"),
    pgettext_noop("QFileSystemModel", "Type"),
    pgettext_noop("QFileSystemModel", "Date Modified"),
    pgettext_noop("QFileSystemModel", "Computer"),
    pgettext_noop("QAbstractFileIconProvider", "Drive"),
    pgettext_noop("QAbstractFileIconProvider", "Folder"),
    pgettext_noop("QAbstractFileIconProvider", "File"),
)
"""Qt's own strings, by Qt context, that the interface catalog translates."""


class GettextTranslator(QTranslator):
    """Answers Qt's translate() calls from the current gettext catalog (context = msgctxt).

    Returns None for strings the catalog does not translate, so Qt keeps its own text. Qt's
    disambiguation (e.g. "All other platforms" for QFileSystemModel "Type") only separates
    platform variants of the same word, so it is not part of the lookup.
    """

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: N802 - Qt API
        if not source_text:
            return None
        return catalog.translated(source_text, context or None)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False


_installed: dict[int, tuple[QCoreApplication, GettextTranslator, object]] = {}


def qlocale_for(language: str) -> QLocale:
    """The QLocale for an interface or label-pack language: English, or Vietnamese (Vietnam).

    Qt does not know the pack codes (tyz, nut, ium, mji: they would become the C locale), and
    the pseudo-locale stands in for Vietnamese, so everything but English formats as vi_VN.
    """
    if language == "en":
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    return QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)


def install_qt_translator(app: QCoreApplication) -> GettextTranslator:
    """Install the gettext bridge on ``app`` and keep it in step with catalog.set_language().

    Each language switch removes and re-installs the translator (Qt then posts LanguageChange
    to every widget) and sets the default QLocale for date and number widgets.
    """
    key = id(app)
    if key in _installed:
        return _installed[key][1]
    translator = GettextTranslator(app)

    def reinstall(language: str) -> None:
        QLocale.setDefault(qlocale_for(language))
        app.removeTranslator(translator)
        app.installTranslator(translator)

    QLocale.setDefault(qlocale_for(catalog.current_language()))
    app.installTranslator(translator)
    catalog.on_language_changed(reinstall)
    _installed[key] = (app, translator, reinstall)
    return translator


def qt_translator_installed(app: QCoreApplication) -> bool:
    return id(app) in _installed


def uninstall_qt_translator(app: QCoreApplication) -> None:
    """Undo :func:`install_qt_translator` (tests share one QApplication)."""
    entry = _installed.pop(id(app), None)
    if entry is None:
        return
    _, translator, reinstall = entry
    catalog.remove_listener(reinstall)
    app.removeTranslator(translator)
