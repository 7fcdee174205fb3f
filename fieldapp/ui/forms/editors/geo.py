"""Coordinates typed in: a geopoint as latitude, longitude (and altitude, accuracy), and the
points of a geotrace or geoshape as a list.

A desktop has no GPS: the member reads the coordinates off a phone or a GPS device and types
them (a decimal comma is accepted, as Vietnamese writes it). Values are stored as ODK Collect
stores them: "lat lon alt acc" per point, points separated by ";", a shape closed.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton, QWidget)

from fieldapp.core.forms.answer_types import close_shape, parse_point, parse_points, point_text
from fieldapp.i18n.catalog import _
from fieldapp.ui.forms.editors.base import FieldEditor

_NUMBER = QRegularExpression(r"-?\d{0,3}([.,]\d{0,10})?")
_ALTITUDE = QRegularExpression(r"-?\d{0,5}([.,]\d{0,3})?")


def _number(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    try:
        return float(text) if text not in ("", "-", ".") else None
    except ValueError:
        return None


class _PointFields(QWidget):
    """Latitude, longitude, altitude and accuracy boxes with their labels."""

    def __init__(self, path: str, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.edits: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        for column, (key, pattern) in enumerate((("lat", _NUMBER), ("lon", _NUMBER),
                                                 ("alt", _ALTITUDE), ("acc", _ALTITUDE))):
            label = QLabel(self)
            edit = QLineEdit(self)
            edit.setObjectName(f"{key}:{path}")
            edit.setValidator(QRegularExpressionValidator(pattern, edit))
            edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("0") * 16)
            label.setBuddy(edit)
            grid.addWidget(label, 0, column)
            grid.addWidget(edit, 1, column)
            self.edits[key], self.labels[key] = edit, label
        grid.setColumnStretch(4, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.labels["lat"].setText(_("Latitude (-90 to 90)"))
        self.labels["lon"].setText(_("Longitude (-180 to 180)"))
        self.labels["alt"].setText(_("Altitude (m, optional)"))
        self.labels["acc"].setText(_("Accuracy (m, optional)"))
        self.edits["lat"].setPlaceholderText("21.8537")
        self.edits["lon"].setPlaceholderText("106.7615")

    def point(self) -> str | None:
        """The point typed ("lat lon alt acc"); None when incomplete or out of range."""
        lat, lon = _number(self.edits["lat"].text()), _number(self.edits["lon"].text())
        alt, acc = _number(self.edits["alt"].text()), _number(self.edits["acc"].text())
        if lat is None or lon is None:
            return None
        text = point_text(lat, lon, alt or 0.0, acc or 0.0)
        return text if parse_point(text) is not None else None

    def empty(self) -> bool:
        return not any(e.text().strip() for e in self.edits.values())

    def show_point(self, value: str) -> None:
        point = parse_point(value)
        texts = ["", "", "", ""] if point is None else [
            _plain(point[0]), _plain(point[1]), _plain(point[2]) if point[2] else "",
            _plain(point[3]) if point[3] else ""]
        for edit, text in zip(self.edits.values(), texts):
            if _number(edit.text()) != _number(text) or not text:
                edit.setText(text)

    def clear(self) -> None:
        for edit in self.edits.values():
            edit.clear()

    def widgets(self) -> list[QWidget]:
        return list(self.edits.values())


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


class GeopointEditor(FieldEditor):
    """One point typed as latitude and longitude (altitude and accuracy optional)."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.fields = _PointFields(path, self)
        for edit in self.fields.widgets():
            edit.textEdited.connect(self._on_text)
        self.input_area.addWidget(self.fields)

    def _on_text(self, _text: str) -> None:
        if self.fields.empty():
            self._set_local_error("")
            self._emit(None)
            return
        point = self.fields.point()
        if point is None:
            self._set_local_error(_("Enter the latitude (-90 to 90) and the longitude (-180 to "
                                    "180) as decimal degrees, for example 21.8537 and "
                                    "106.7615."))
            self._emit(None)
        else:
            self._set_local_error("")
            self._emit(point)

    def _show_value(self, value: str) -> None:
        if self._local_error and not value:
            return
        if self.fields.point() != value:
            self.fields.show_point(value)

    def focus_chain(self) -> list[QWidget]:
        return self.fields.widgets()


class GeoListEditor(FieldEditor):
    """A geotrace (a line) or geoshape (an area): points added one by one to a list."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.shape = field_type == "geoshape"
        self.points: list[str] = []
        self.list = QListWidget(self)
        self.list.setObjectName(f"input:{path}")
        self.list.setMaximumHeight(self.list.fontMetrics().lineSpacing() * 7)
        self.fields = _PointFields(path, self)
        for edit in self.fields.widgets():
            edit.returnPressed.connect(self._on_add)  # Enter adds the point typed
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self)
        self.add_button.setObjectName(f"add_point:{path}")
        self.add_button.clicked.connect(self._on_add)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName(f"remove_point:{path}")
        self.remove_button.clicked.connect(self._on_remove)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.count = QLabel(self)
        self.count.setStyleSheet("color: #555;")
        self.input_area.addWidget(self.list)
        self.input_area.addWidget(self.count)
        self.input_area.addWidget(self.fields)
        self.input_area.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("&Add this point"))
        self.remove_button.setText(_("Remove the selected point"))
        self.fields.retranslate()
        self._update_count()

    def _update_count(self) -> None:
        n = len(self.points)
        needed = 3 if self.shape else 2
        if n >= needed:
            text = (_("{count} points; the area closes from the last point back to the first.")
                    if self.shape else _("{count} points.")).format(count=n)
        else:
            text = _("{count} of at least {needed} points.").format(count=n, needed=needed)
        self.count.setText(text)

    def _on_add(self) -> None:
        point = self.fields.point()
        if point is None:
            self._set_local_error(_("Enter the latitude (-90 to 90) and the longitude (-180 to "
                                    "180) as decimal degrees, for example 21.8537 and "
                                    "106.7615."))
            return
        self._set_local_error("")
        self.points.append(point)
        self.fields.clear()
        self._refresh_list()
        self._emit_points()
        self.fields.edits["lat"].setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.points):
            del self.points[row]
            self._refresh_list()
            self._emit_points()

    def _emit_points(self) -> None:
        if not self.points:
            self._emit(None)
            return
        points = [parse_point(p) for p in self.points]
        if self.shape and len({p[:2] for p in points}) >= 3:
            points = close_shape(points)
        self._emit("; ".join(point_text(*p) for p in points))

    def _refresh_list(self) -> None:
        self.list.clear()
        for i, point in enumerate(self.points, start=1):
            lat, lon, *_rest = point.split()
            self.list.addItem(f"{i}.  {lat}, {lon}")
        self._update_count()

    def _show_value(self, value: str) -> None:
        points = parse_points(value) if value else []
        if points is None:
            return
        if self.shape and len(points) > 1 and points[0][:2] == points[-1][:2]:
            points = points[:-1]  # shown open; closed again when stored
        texts = [point_text(*p) for p in points]
        if texts != self.points:
            self.points = texts
            self._refresh_list()

    def focus_chain(self) -> list[QWidget]:
        return [self.list, *self.fields.widgets(), self.add_button, self.remove_button]

    def enter_widgets(self) -> list[QWidget]:
        return []  # Enter in the boxes adds the point, it does not leave the page
