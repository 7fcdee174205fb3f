"""Texts from packs, files and databases are shown as plain text: a message box never renders
the HTML (or a clickable link) they may hold; a pack with one enormous translation is refused."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from fieldapp import paths
from fieldapp.ui import widgets

HOSTILE = '<a href="http://example.invalid/x">bấm vào đây</a><img src="x"><b>!</b>'


def test_message_boxes_show_plain_text(qapp, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(
        (box.textFormat(), box.text())) or QMessageBox.StandardButton.Ok)
    widgets.show_message(None, "warning", "x", HOSTILE)
    assert shown == [(Qt.TextFormat.PlainText, HOSTILE)]


def test_a_pack_with_an_enormous_translation_is_refused(tmp_path):
    import re

    import pytest

    from fieldapp.services import packs  # noqa: F401 - imported before pack_import (cycle)
    from fieldapp.services.forms import FormCatalog
    from fieldapp.services.pack_import import PackImportError, validate_pack

    text = (paths.i18n_dir() / "packs" / "tyz" / "support_session.po").read_text("utf-8")
    huge = re.sub(r'msgstr "([^"]+)"', lambda m: 'msgstr "' + "x" * 300_000 + '"', text,
                  count=1)
    catalog = FormCatalog([paths.forms_dir()])
    forms = [catalog.current(i.form_id)[1] for i in catalog.infos()]
    with pytest.raises(PackImportError, match="characters long"):
        validate_pack(huge.encode(), forms, label="huge.po")
