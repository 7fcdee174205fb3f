"""Does every text fit where it is shown? A check of a window as laid out on screen.

:func:`cut_texts` walks the visible widgets of a window and lists every text that does not fit
its widget: a label one line too long or wrapped past its height, a button, check box, radio
button or group box title wider than its box, a tab whose text is squeezed, a combo box whose
chosen item is cut, a placeholder longer than its field, a table header wider than its column,
a cell of a list or table cut without a tooltip that shows it whole (the way a long value is
meant to be shown: elided, whole in the tooltip), a main list that scrolls sideways, a widget
pushed outside the window, and a window larger than the screen it is shown on.

Used by the screens' tour (fieldapp.ui.tour) and its tests, at 1366x768, 1280x720 and 125%
scaling. A table or list that is meant to scroll sideways (a grid of dates) says so with the
property ``scrolls_sideways``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea,
                               QApplication, QCheckBox, QComboBox, QGroupBox, QHeaderView,
                               QLabel, QLineEdit, QListView, QPushButton, QRadioButton,
                               QScrollArea, QStyle, QStyleOptionButton, QStyleOptionComboBox,
                               QTabBar, QTableView, QToolButton, QWidget)

SIDEWAYS = "scrolls_sideways"
"""Dynamic property: a view meant to scroll sideways (the grids of a class)."""
SLACK = 1  # pixels of rounding
CELL_MARGINS = 6  # a view item's text margins, left and right (Qt's common style: 3 + 3)


@dataclass(frozen=True)
class Cut:
    where: str
    text: str
    need: int
    have: int

    def __str__(self) -> str:
        return f"{self.where}: {self.text!r} needs {self.need} px, has {self.have}"


def _name(widget: QWidget) -> str:
    parts = []
    while widget is not None and len(parts) < 4:
        name = widget.objectName()
        parts.append(type(widget).__name__ + (f"#{name}" if name else ""))
        widget = widget.parentWidget()
    return "/".join(reversed(parts))


def _plain(text: str) -> str:
    """A button's text as drawn: without the mnemonic ampersand."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _shown(widget: QWidget, top: QWidget) -> bool:
    """Visible, and not scrolled or clipped wholly out of sight by a parent."""
    if not widget.isVisibleTo(top):
        return False
    rect = QRect(widget.mapTo(top, widget.rect().topLeft()), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        rect &= QRect(parent.mapTo(top, parent.rect().topLeft()), parent.size())
        parent = parent.parentWidget()
    return not rect.isEmpty()


def _in_scroll_area(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QScrollArea) or parent.objectName() == "qt_scrollarea_viewport":
            return True
        parent = parent.parentWidget()
    return False


def _label(label: QLabel) -> Cut | None:
    text = _plain(label.text()) if label.buddy() is not None else label.text()
    if not text or label.pixmap() is not None and not label.pixmap().isNull():
        return None
    rect = label.contentsRect()
    margin = label.margin() * 2 + max(0, label.indent())
    if label.wordWrap() or label.textFormat() == Qt.TextFormat.RichText or "<" in text:
        need = label.heightForWidth(label.width())
        if need > label.height() + SLACK and need > 0:
            return Cut(_name(label), text, need, label.height())
        if not label.wordWrap():
            width = label.sizeHint().width()
            if width > label.width() + SLACK:
                return Cut(_name(label), text, width, label.width())
        return None
    metrics = label.fontMetrics()
    lines = text.split("\n")
    need = max(metrics.horizontalAdvance(line) for line in lines) + margin
    if need > rect.width() + SLACK:
        return Cut(_name(label), text, need, rect.width())
    height = metrics.lineSpacing() * len(lines)
    if height > rect.height() + metrics.leading() + SLACK + 2:
        return Cut(_name(label), text, height, rect.height())
    return None


def _button(button: QAbstractButton) -> Cut | None:
    text = _plain(button.text())
    if not text:
        return None
    metrics = button.fontMetrics()
    need = metrics.horizontalAdvance(text)
    style = button.style()
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        option.initFrom(button)
        option.text = text
        contents = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
        have = contents.width() - 2 * style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin,
                                                        option, button) // 2
        if not button.icon().isNull():
            need += button.iconSize().width() + 4
        if button.menu() is not None:
            need += style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, option, button)
    elif isinstance(button, (QCheckBox, QRadioButton)):
        option = QStyleOptionButton()
        option.initFrom(button)
        option.text = text
        element = (QStyle.SubElement.SE_CheckBoxContents if isinstance(button, QCheckBox)
                   else QStyle.SubElement.SE_RadioButtonContents)
        have = style.subElementRect(element, option, button).width()
        if button.sizeHint().width() > button.width() + SLACK:
            need = max(need, button.sizeHint().width() - button.width() + have)
    elif isinstance(button, QToolButton):
        have = button.width() - 6
        if button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly:
            return None
        if button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon \
                and not button.icon().isNull():
            need += button.iconSize().width() + 4
    else:
        have = button.width()
    if need > have + SLACK:
        return Cut(_name(button), text, need, have)
    return None


def _group(box: QGroupBox) -> Cut | None:
    text = _plain(box.title())
    if not text:
        return None
    need = box.fontMetrics().horizontalAdvance(text) + 16
    if box.isCheckable():
        need += 20
    if need > box.width() + SLACK:
        return Cut(_name(box), text, need, box.width())
    return None


def _tabs(bar: QTabBar) -> list[Cut]:
    cuts = []
    metrics = bar.fontMetrics()
    scroll = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
    for i in range(bar.count()):
        text = _plain(bar.tabText(i))
        if not text:
            continue
        rect = bar.tabRect(i)
        need = metrics.horizontalAdvance(text) + 8
        if not bar.tabIcon(i).isNull():
            need += bar.iconSize().width() + 4
        if need > rect.width() + SLACK or scroll:
            cuts.append(Cut(f"{_name(bar)} tab {i}", text, need, rect.width()))
    return cuts


def _combo(combo: QComboBox) -> Cut | None:
    text = combo.currentText() if combo.currentIndex() >= 0 else combo.placeholderText()
    if not text or combo.isEditable():
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    need = combo.fontMetrics().horizontalAdvance(text)
    if not combo.itemIcon(max(0, combo.currentIndex())).isNull():
        need += combo.iconSize().width() + 4
    if need > field.width() + SLACK and not _tip_shows(combo.toolTip(), text):
        return Cut(_name(combo), text, need, field.width())
    return None


def _placeholder(edit: QLineEdit) -> Cut | None:
    text = edit.placeholderText()
    if edit.text() or not text:
        return None
    need = edit.fontMetrics().horizontalAdvance(text) + 8
    have = edit.width() - edit.textMargins().left() - edit.textMargins().right()
    if need > have + SLACK:
        return Cut(_name(edit) + " placeholder", text, need, have)
    return None


def _tip_shows(tip, text: str) -> bool:
    """Whether a tooltip shows ``text`` whole (the way an elided value is meant to be read)."""
    return isinstance(tip, str) and bool(tip) and " ".join(text.split()) in " ".join(tip.split())


def _header(header: QHeaderView) -> list[Cut]:
    cuts = []
    model = header.model()
    if model is None or not header.isVisible():
        return cuts
    metrics = header.fontMetrics()
    sort = header.isSortIndicatorShown()
    for section in range(header.count()):
        if header.isSectionHidden(section):
            continue
        text = model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or not text:
            continue
        tip = model.headerData(section, header.orientation(), Qt.ItemDataRole.ToolTipRole)
        size = (header.sectionSize(section) if header.orientation() == Qt.Orientation.Horizontal
                else header.width())
        need = max(metrics.horizontalAdvance(line) for line in text.split("\n")) + 8 \
            + (16 if sort else 0)
        if need > size + SLACK and not _tip_shows(tip, text):
            cuts.append(Cut(f"{_name(header)} section {section}", text, need, size))
    return cuts


def _visible_rows(view: QAbstractItemView, limit: int = 60) -> list[QModelIndex]:
    model = view.model()
    rows = []
    viewport = view.viewport().rect()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        rect = view.visualRect(index)
        if rect.bottom() < 0:
            continue
        if rect.top() > viewport.bottom() or len(rows) >= limit:
            break
        rows.append(index)
    return rows


def _cells(view: QAbstractItemView) -> list[Cut]:
    """Cells drawn cut (elided) whose tooltip does not show them whole."""
    model = view.model()
    if model is None or view.wordWrap():
        return []
    cuts = []
    columns = model.columnCount() if isinstance(view, QTableView) else 1
    metrics = view.fontMetrics()
    for first in _visible_rows(view):
        for column in range(columns):
            if isinstance(view, QTableView) and view.isColumnHidden(column):
                continue
            index = model.index(first.row(), column)
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if not isinstance(text, str) or not text:
                continue
            font = index.data(Qt.ItemDataRole.FontRole)
            width = (metrics if font is None else _metrics(font)).horizontalAdvance(
                max(text.split("\n"), key=len))
            rect = view.visualRect(index)
            have = rect.width() - CELL_MARGINS
            if isinstance(view, QListView):
                have = min(have, view.viewport().width() - rect.left() - CELL_MARGINS)
                icon = index.data(Qt.ItemDataRole.DecorationRole)
                if icon is not None:
                    width += view.iconSize().width() + 4
            if width > have + SLACK and not _tip_shows(
                    index.data(Qt.ItemDataRole.ToolTipRole), text):
                cuts.append(Cut(f"{_name(view)} [{first.row()},{column}]", text, width, have))
    return cuts


def _metrics(font):
    from PySide6.QtGui import QFontMetrics

    return QFontMetrics(font)


def _sideways(view: QAbstractScrollArea) -> Cut | None:
    if view.property(SIDEWAYS):
        return None
    bar = view.horizontalScrollBar()
    if bar.isVisible() and bar.maximum() > 0:
        return Cut(_name(view) + " scrolls sideways", "", view.viewport().width() + bar.maximum(),
                   view.viewport().width())
    return None


def _outside(widget: QWidget, top: QWidget) -> Cut | None:
    """A widget that reaches past the window's edge (a layout squeezed below its minimum)."""
    if _in_scroll_area(widget, top):
        return None
    rect = QRect(widget.mapTo(top, widget.rect().topLeft()), widget.size())
    bounds = top.rect()
    if not bounds.contains(rect) and rect.intersects(bounds):
        over = max(rect.right() - bounds.right(), rect.bottom() - bounds.bottom(), 0)
        if over > SLACK:
            return Cut(_name(widget) + " outside the window", "", over, 0)
    return None


def window_fits(top: QWidget, screen: QSize | None = None) -> Cut | None:
    """A window larger than the screen's available area (or than ``screen``)."""
    if screen is None:
        found = QWidget.screen(top) or QApplication.primaryScreen()
        if found is None:
            return None
        screen = found.availableGeometry().size()
    available = screen
    frame = top.frameGeometry().size()
    if frame.width() > available.width() + SLACK or frame.height() > available.height() + SLACK:
        return Cut(_name(top) + " larger than the screen",
                   f"{frame.width()}x{frame.height()}",
                   max(frame.width(), frame.height()),
                   max(available.width(), available.height()))
    return None


def cut_texts(top: QWidget, screen: QSize | None = None) -> list[Cut]:
    """Every text of ``top`` (a window or dialog, shown and laid out) that does not fit;
    ``screen``: the size of the screen it is meant for (default: the one it is on)."""
    cuts: list[Cut] = []
    found = window_fits(top, screen) if top.isWindow() else None
    if found:
        cuts.append(found)
    for widget in [top, *top.findChildren(QWidget)]:
        if widget is not top and not _shown(widget, top):
            continue
        found = None
        if isinstance(widget, QLabel):
            found = _label(widget)
        elif isinstance(widget, QAbstractButton):
            found = _button(widget)
        elif isinstance(widget, QGroupBox):
            found = _group(widget)
        elif isinstance(widget, QComboBox):
            found = _combo(widget)
        elif isinstance(widget, QLineEdit):
            found = _placeholder(widget)
        if found:
            cuts.append(found)
        if isinstance(widget, QTabBar):
            cuts += _tabs(widget)
        if isinstance(widget, QHeaderView):
            cuts += _header(widget)
        elif isinstance(widget, QAbstractItemView):
            cuts += _cells(widget)
        if isinstance(widget, QAbstractScrollArea):
            found = _sideways(widget)
            if found:
                cuts.append(found)
        if widget is not top:
            found = _outside(widget, top)
            if found:
                cuts.append(found)
    return cuts
