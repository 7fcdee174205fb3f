"""Bilingual label resolution without Qt: the form's own texts, or a pack beside Vietnamese, as
plain data (text, language, fell back, reviewed) for the screen and the printed questionnaire."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fieldapp.core.forms import FormInstance, load_form
from fieldapp.core.forms.labels import LabelSource, PackLabelSource, Text
from fieldapp.i18n.packs import PackCatalog, PackEntry, pack_key
from fieldapp.i18n.resolution import DisplayMode, LabelResolver

FORM = """\
| survey |                   |          |                        |                  |                       |                        |                                     |
|        | type              | name     | label::Vietnamese (vi) | label::Tày (tyz) | hint::Vietnamese (vi) | constraint             | constraint_message::Vietnamese (vi) |
|        | text              | head     | Chủ hộ                 |                  | Ghi đầy đủ họ tên.    |                        |                                     |
|        | integer           | size     | Số người               |                  |                       | . > 0                  | Phải lớn hơn 0.                     |
|        | begin_repeat      | kids     | Con: ${kid_name}       |                  |                       |                        |                                     |
|        | text              | kid_name | Tên con                |                  |                       |                        |                                     |
|        | end_repeat        |          |                        |                  |                       |                        |                                     |
|        | select_one yes_no | phone    | Có điện thoại không?   | Mì điện thoại?   |                       |                        |                                     |
|        | select_one_from_file villages.csv | village | Thôn   |                  |                       |                        |                                     |
| choices |           |      |                        |
|         | list_name | name | label::Vietnamese (vi) |
|         | yes_no    | yes  | Có                     |
|         | yes_no    | no   | Không                  |
| settings |            |         |         |                  |
|          | form_title | form_id | version | default_language |
|          | Phiếu nhỏ  | mini    | 1       | Vietnamese (vi)  |
"""


def _entry(path: str, column: str, msgid: str, msgstr: str, fuzzy: bool = False) -> PackEntry:
    return PackEntry(pack_key("mini", path, column), msgid, msgstr, fuzzy)


PACK = PackCatalog("tyz", "mini", {e.key: e for e in [
    _entry("head", "label", "Chủ hộ", "Chủ rườn"),
    _entry("head", "hint", "Ghi đầy đủ họ tên.", "Tả tẳng slư.", fuzzy=True),
    _entry("size", "constraint_message", "Phải lớn hơn 0.", "Lai quá 0."),
    _entry("kids", "label", "Con: ${kid_name}", "Lục: ${kid_name}"),
    _entry("choices/yes_no/yes", "label", "Có", "Mì"),
]})


@pytest.fixture
def form():
    return load_form(FORM.encode("utf-8"), "mini.md")


@pytest.fixture
def instance(form):
    inst = FormInstance(form)
    inst.add_repeat_row("kids")
    inst.set_value("kids[0]/kid_name", "Hoàng An")
    return inst


def packed(form, instance, mode=DisplayMode.BILINGUAL) -> PackLabelSource:
    return PackLabelSource(form, instance, LabelResolver("mini", "tyz", PACK), mode)


def test_the_forms_own_texts_in_vietnamese(form, instance):
    labels = LabelSource(form, instance)
    assert labels.label("head") == Text("Chủ hộ", language="vi")
    assert labels.hint("head").primary == "Ghi đầy đủ họ tên."
    assert labels.label("kids[0]") == Text("Con: Hoàng An", language="vi")
    assert labels.repeat_name("kids").primary == "Con"
    assert labels.form_title().primary == "Phiếu nhỏ"
    assert labels.pack_lang is None and labels.mode is DisplayMode.VIETNAMESE_ONLY


def test_bilingual_pack_text_with_vietnamese_beneath(form, instance):
    label = packed(form, instance).label("head")
    assert (label.primary, label.secondary, label.language) == ("Chủ rườn", "Chủ hộ", "tyz")
    assert not label.fell_back and not label.unreviewed and label.status == ""
    assert label.plain == "Chủ rườn\nChủ hộ"


def test_an_unreviewed_pack_text_says_so(form, instance):
    hint = packed(form, instance).hint("head")
    assert (hint.primary, hint.secondary) == ("Tả tẳng slư.", "Ghi đầy đủ họ tên.")
    assert hint.unreviewed and hint.status == "unreviewed" and not hint.fell_back
    assert hint.note == "Translation not yet reviewed by a native speaker"


def test_no_pack_text_falls_back_to_vietnamese_and_is_marked(form, instance):
    label = packed(form, instance).label("size")
    assert (label.primary, label.secondary, label.language) == ("Số người", "", "vi")
    assert label.fell_back and not label.unreviewed
    assert label.note == "No translation yet: shown in Vietnamese"


def test_the_forms_own_column_in_the_pack_language_comes_before_vietnamese(form, instance):
    label = packed(form, instance).label("phone")
    assert (label.primary, label.secondary, label.language) == (
        "Mì điện thoại?", "Có điện thoại không?", "tyz")
    assert not label.fell_back


def test_pack_only_and_vietnamese_only(form, instance):
    only_pack = packed(form, instance, DisplayMode.PACK_ONLY).label("head")
    assert (only_pack.primary, only_pack.secondary, only_pack.language) == ("Chủ rườn", "", "tyz")
    vietnamese = packed(form, instance, DisplayMode.VIETNAMESE_ONLY).label("size")
    assert vietnamese == Text("Số người", language="vi")  # no fallback mark without the pack


def test_references_are_filled_in_from_the_row(form, instance):
    labels = packed(form, instance)
    assert labels.label("kids[0]").primary == "Lục: Hoàng An"
    row = labels.row_title_for("kids[0]", "1. Con: Hoàng An")
    assert (row.primary, row.secondary, row.language) == ("1. Lục: Hoàng An", "1. Con: Hoàng An",
                                                          "tyz")
    assert labels.repeat_name("kids").primary == "Lục"


def test_choices_messages_and_title(form, instance):
    labels = packed(form, instance)
    yes, no = instance.choices_for("phone")
    assert labels.choice("phone", yes).primary == "Mì"
    assert labels.choice("phone", no).fell_back
    message = labels.error("size", "Phải lớn hơn 0.")
    assert (message.primary, message.secondary) == ("Lai quá 0.", "Phải lớn hơn 0.")
    assert labels.error("size", "Enter a whole number.") == Text("Enter a whole number.")
    assert labels.form_title().fell_back and labels.form_title().primary == "Phiếu nhỏ"


def test_registry_rows_are_names_not_translated(form):
    class Villages:
        def list_rows(self, csv_name):
            return [{"name": "ban_chang", "label": "Bản Chang"}]

    instance = FormInstance(form, registry=Villages())
    (village,) = instance.choices_for("village")
    text = packed(form, instance).choice("village", village)
    assert (text.primary, text.fell_back) == ("Bản Chang", False)


def test_label_resolution_needs_no_qt():
    probe = ("import sys, fieldapp.core.forms.labels, fieldapp.i18n.resolution; "
             "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
