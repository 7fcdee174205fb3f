"""A form written for ODK Collect, filled through the widgets: every question type this app
took over from Collect (geopoint, geotrace, geoshape, image, audio, video, file, barcode,
range, time, dateTime, rank, select_one_from_file with a CSV shipped beside the workbook,
instance() lookups, pulldata(), last-saved and the silent metadata), then finalized, with the
stored answers and attachments checked in the database."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

import sys
from pathlib import Path

from fieldapp.services.forms import FormCatalog
from fieldapp.services.surveys import SurveyService
from fieldapp.ui.forms.editors import (
    DateTimeEditor, FileEditor, GeoListEditor, GeopointEditor, RangeEditor, RankEditor,
    TimeEditor)
from test_form_driver import FormDriver, show_form_view, type_text

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from broken_forms.builders import write_xlsx  # noqa: E402

NOW = dt.datetime(2026, 11, 23, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=7)))

SURVEY = [
    ["type", "name", "label", "parameters", "calculation", "default", "appearance", "required"],
    ["start", "start"], ["end", "end"], ["today", "today"], ["deviceid", "deviceid"],
    ["username", "username"],
    ["begin group", "visit", "Chuyến thăm", None, None, None, "field-list"],
    ["text", "village_name", "Tên thôn", None, None, "${last-saved#village_name}"],
    ["select_one_from_file crops.csv", "crop", "Cây trồng chính", None, None, None, None,
     "yes"],
    ["calculate", "price", None, None, "instance('crops')/root/item[name = ${crop}]/price"],
    ["calculate", "unit", None, None, "pulldata('crops', 'unit', 'name', ${crop})"],
    ["note", "price_note", "Giá: ${price} đồng/${unit}"],
    ["geopoint", "gps", "Vị trí nhà"],
    ["geotrace", "road", "Đường vào bản"],
    ["geoshape", "field", "Diện tích ruộng"],
    ["barcode", "code", "Mã vạch thiết bị"],
    ["range", "score", "Mức độ hài lòng", "start=0 end=10 step=2"],
    ["time", "visit_time", "Giờ đến"],
    ["dateTime", "visit_at", "Ngày giờ hẹn lại"],
    ["rank prio", "priorities", "Xếp thứ tự ưu tiên"],
    ["image", "photo", "Ảnh nhà"],
    ["audio", "voice", "Ghi âm ý kiến"],
    ["video", "clip", "Video"],
    ["file", "doc", "Giấy tờ"],
    ["end group", None],
]
CHOICES = [["list_name", "name", "label"], ["prio", "internet", "Mạng internet"],
           ["prio", "phone", "Điện thoại thông minh"], ["prio", "training", "Tập huấn"]]
CROPS_CSV = "name,label,price,unit\nlua,Lúa,8000,kg\nngo,Ngô,6500,kg\nche,Chè,45000,kg\n"


@pytest.fixture
def wild(tmp_path, setup_store):
    folder = tmp_path / "forms"
    folder.mkdir()
    write_xlsx(folder / "wild_types.xlsx", {
        "survey": SURVEY, "choices": CHOICES,
        "settings": [["form_id", "version"], ["wild_types", "1"]]})
    (folder / "wild_types-media").mkdir()
    (folder / "wild_types-media" / "crops.csv").write_text(CROPS_CSV, encoding="utf-8")
    service = SurveyService(setup_store, FormCatalog([folder]), now=lambda: NOW,
                            today=lambda: NOW.date())
    files = tmp_path / "files"
    files.mkdir()
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a7f3f"))
    assert image.save(str(files / "nhà của tôi.png"))
    (files / "y kien.mp3").write_bytes(b"ID3\x03" + b"\x00" * 500)
    (files / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 800)
    (files / "giay to.pdf").write_bytes(b"%PDF-1.4\n" + b"x" * 300)
    (files / "notes.txt").write_text("không phải âm thanh", encoding="utf-8")
    return service, files


def _choose(qtbot, editor: FileEditor, path) -> None:
    editor.choose_file = lambda: str(path)
    qtbot.mouseClick(editor.choose, Qt.MouseButton.LeftButton)


def _type_point(editor, lat: str, lon: str) -> None:
    fields = editor.fields
    fields.edits["lat"].clear()
    type_text(fields.edits["lat"], lat)
    fields.edits["lon"].clear()
    type_text(fields.edits["lon"], lon)


def test_every_new_question_type_filled_through_the_widgets_and_stored(qtbot, wild):
    service, files = wild
    # An earlier submission on this laptop: its village is the default of the new one.
    form, earlier = service.new_instance("wild_types")
    earlier.set_value("village_name", "Bản Khuông")
    service.save(None, form, earlier, finalize=False)

    form, instance = service.new_instance("wild_types")
    assert instance.get_value("village_name") == "Bản Khuông"  # ${last-saved#village_name}
    assert instance.get_value("start").startswith("2026-11-23T09:15")
    assert instance.get_value("deviceid") == f"fieldapp:{service.store.device_id}"
    assert instance.get_value("username") == "Hoàng Thị Mai"
    saved = {"id": None}
    view = show_form_view(qtbot, form, instance, service=service, saved=saved,
                          read_attachment=service.read_attachment)
    driver = FormDriver(view, qtbot)
    QApplication.processEvents()
    editors = {p.rsplit("/", 1)[-1]: e for p, e in view.editors.items()}
    assert "start" not in editors and "deviceid" not in editors  # metadata stays silent

    driver.answer("crop", "che")
    assert instance.get_value("price") == "45000"  # instance('crops')/root/item[...]/price
    assert instance.get_value("unit") == "kg"  # pulldata()
    assert "45000 đồng/kg" in editors["price_note"].label.text()

    gps = editors["gps"]
    assert isinstance(gps, GeopointEditor)
    _type_point(gps, "21,8537", "106.7615")  # a decimal comma is accepted
    type_text(gps.fields.edits["acc"], "5")
    road = editors["road"]
    assert isinstance(road, GeoListEditor)
    for lat, lon in (("21.85", "106.76"), ("21.86", "106.77")):
        _type_point(road, lat, lon)
        qtbot.mouseClick(road.add_button, Qt.MouseButton.LeftButton)
    field = editors["field"]
    for lat, lon in (("21.1", "106.1"), ("21.2", "106.1"), ("21.2", "106.2")):
        _type_point(field, lat, lon)
        qtbot.keyClick(field.fields.edits["lon"], Qt.Key.Key_Return)  # Enter adds the point
    assert field.list.count() == 3

    type_text(editors["code"].edit, "8934567890123")  # typed, or a USB scanner typing it
    score = editors["score"]
    assert isinstance(score, RangeEditor)
    score.control.setFocus()
    for _ in range(3):
        qtbot.keyClick(score.control, Qt.Key.Key_Right)
    assert score.value_label.text() == "6"
    visit_time = editors["visit_time"]
    assert isinstance(visit_time, TimeEditor)
    type_text(visit_time.edit, "14:30")
    visit_at = editors["visit_at"]
    assert isinstance(visit_at, DateTimeEditor)
    type_text(visit_at.date_edit, "30/11/2026")
    type_text(visit_at.time_edit, "8h05")
    rank = editors["priorities"]
    assert isinstance(rank, RankEditor)
    rank.list.setCurrentRow(2)  # "Tập huấn" first
    qtbot.mouseClick(rank.up, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(rank.up, Qt.MouseButton.LeftButton)

    voice = editors["voice"]
    _choose(qtbot, voice, files / "notes.txt")  # refused beside the question
    assert "not '.txt'" in voice.error_text()
    assert instance.get_value("voice") == ""
    _choose(qtbot, voice, files / "y kien.mp3")
    assert voice.error_text() == ""
    _choose(qtbot, editors["photo"], files / "nhà của tôi.png")
    assert editors["photo"].preview.isVisibleTo(view)
    _choose(qtbot, editors["clip"], files / "clip.mp4")
    _choose(qtbot, editors["doc"], files / "giay to.pdf")

    assert instance.errors() == []
    qtbot.mouseClick(view.finalize_button, Qt.MouseButton.LeftButton)
    assert saved["id"] is not None

    row = service.store.submissions.get(saved["id"])
    answers = json.loads(row["answers"])
    assert answers["crop"] == "che" and answers["price"] == "45000"
    assert answers["gps"] == "21.8537 106.7615 0 5"
    assert answers["road"] == "21.85 106.76 0 0; 21.86 106.77 0 0"
    assert answers["field"].count(";") == 3  # three points, closed
    assert answers["code"] == "8934567890123"
    assert answers["score"] == "6"
    assert answers["visit_time"].startswith("14:30:00.000")
    assert answers["visit_at"].startswith("2026-11-30T08:05:00.000")
    assert answers["priorities"] == "training internet phone"
    assert answers["end"].startswith("2026-11-23T09:15")
    assert answers["today"] == "2026-11-23"
    assert answers["village_name"] == "Bản Khuông"
    stored = {a["filename"]: a for a in service.attachments(saved["id"])}
    assert set(stored) == {answers["photo"], answers["voice"], answers["clip"], answers["doc"]}
    assert answers["photo"].startswith("nhà_của_tôi-") and answers["photo"].endswith(".png")
    assert stored[answers["photo"]]["media_type"] == "image/png"
    assert service.attachment_content(saved["id"], answers["doc"]) == (
        files / "giay to.pdf").read_bytes()

    # Replacing a photo keeps one live attachment per answer (the old one is tombstoned).
    image = QImage(10, 10, QImage.Format.Format_RGB32)
    image.fill(QColor("#c33"))
    image.save(str(files / "khac.png"))
    _choose(qtbot, editors["photo"], files / "khac.png")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    names = {a["filename"] for a in service.attachments(saved["id"])}
    assert instance.get_value("photo") in names and answers["photo"] not in names
