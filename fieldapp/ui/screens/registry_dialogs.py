"""Dialogs of the registry outside a survey: a household, a person, a move, a removal, the
start of a new household survey (with the offer of a registered household that looks the
same) and the same question when a survey is finalized.

Each dialog hands its values to ``submit(values)``, which writes through the app's writer and
returns True, or shows the service's refusal beside the field it names and returns None; the
dialog closes only on success.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QSpinBox, QVBoxLayout,
                               QWidget)

from fieldapp.core import codes
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.models import birth_year_of
from fieldapp.ui.widgets import MutedLabel, grow_to_fit, names_combo, prefer_width, scrolling
from fieldapp.ui.workflow_widgets import FieldMessages, message_label, survey_status

Submit = Callable[[dict[str, Any], FieldMessages], Any]
NO_YEAR = 0


def code_combo(name: str, labels: dict[str, str], *, empty: str | None = None) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    if empty is not None:
        combo.addItem(empty, None)
    for code, label in labels.items():
        combo.addItem(_(label), code)
    return combo


def village_combo(villages: list[dict[str, Any]], name: str = "village_id") -> QComboBox:
    combo = names_combo(name)
    for village in villages:
        combo.addItem(village["name"], village["id"])
    return combo


def select(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


class FormDialog(QDialog):
    """Rows of (label, widget, field name) with a message under each; Save and Cancel."""

    def __init__(self, title: str, submit: Submit, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.submit_fn = submit
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.labels: dict[str, QLabel] = {}
        self.general = message_label("general", self)
        self.messages = FieldMessages(self.labels, self.general)
        self.intro = MutedLabel()
        self.intro.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        body = QWidget()
        rows = QVBoxLayout(body)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addWidget(self.intro)
        rows.addLayout(self.form)
        rows.addWidget(self.general)
        rows.addStretch(1)
        layout = QVBoxLayout(self)
        # the rows scroll on a screen too short for them (a class's twelve skills at large
        # text were taller than 768 px: Save was off the screen); the buttons stay in sight
        layout.addWidget(scrolling(body, whole=True), 1)
        layout.addWidget(self.buttons)
        prefer_width(self, 520)

    def add_row(self, label: str, widget: QWidget, field: str) -> None:
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(2)
        inner.addWidget(widget)
        message = message_label(field, box)
        inner.addWidget(message)
        self.labels[field] = message
        self.form.addRow(label, box)

    def values(self) -> dict[str, Any]:
        return {}

    def save(self) -> bool:
        if self.submit_fn(self.values(), self.messages) is None:
            return False
        self.accept()
        return True


def person_fields(person: dict[str, Any]) -> tuple[QLineEdit, QComboBox, QSpinBox]:
    """Full name, sex and year of birth fields."""
    full_name = QLineEdit(person.get("full_name") or "")
    full_name.setObjectName("full_name")
    sex = code_combo("sex", codes.SEXES, empty=_("(not given)"))
    select(sex, person.get("sex"))
    birth_year = QSpinBox()
    birth_year.setObjectName("birth_year")
    birth_year.setRange(NO_YEAR, 2100)
    birth_year.setSpecialValueText(_("(not given)"))
    birth_year.setValue(birth_year_of(person.get("birth_year")) or NO_YEAR)
    return full_name, sex, birth_year


class PersonDialog(FormDialog):
    """A person: full name, sex, year of birth, relation to the head, ethnic group."""

    def __init__(self, title: str, submit: Submit, person: dict[str, Any] | None = None,
                 *, relation: bool = True, parent: QWidget | None = None):
        super().__init__(title, submit, parent)
        person = person or {}
        self.full_name, self.sex, self.birth_year = person_fields(person)
        # A stored year of birth that is no year (a survey's answer "khoảng 1960") is shown
        # as it is and kept unless a year is chosen: editing the name must not erase it.
        stored = person.get("birth_year")
        self._kept_year = stored if stored not in (None, "") \
            and birth_year_of(stored) is None else None
        if self._kept_year is not None:
            self.birth_year.setSpecialValueText(str(self._kept_year))
        self.relation = code_combo("relation", codes.RELATIONS)
        select(self.relation, person.get("relation") or "other")
        self.ethnicity = code_combo("ethnicity", codes.ETHNICITIES, empty=_("(not given)"))
        select(self.ethnicity, person.get("ethnicity"))
        self.add_row(_("Full name"), self.full_name, "full_name")
        self.add_row(_("Sex"), self.sex, "sex")
        self.add_row(_("Year of birth"), self.birth_year, "birth_year")
        if relation:
            self.add_row(_("Relation to the head"), self.relation, "relation")
        self.relation.setVisible(relation)
        self.add_row(_("Ethnic group"), self.ethnicity, "ethnicity")
        self._with_relation = relation

    def values(self) -> dict[str, Any]:
        out = {"full_name": nfc(self.full_name.text()), "sex": self.sex.currentData(),
               "birth_year": self.birth_year.value() or None,
               "ethnicity": self.ethnicity.currentData()}
        if out["birth_year"] is None and self._kept_year is not None:
            del out["birth_year"]  # left as stored
        if self._with_relation:
            out["relation"] = self.relation.currentData()
        return out


class HouseholdDialog(FormDialog):
    """A new household (village and head) or a household's own details."""

    def __init__(self, title: str, submit: Submit, villages: list[dict[str, Any]],
                 household: dict[str, Any] | None = None, *, village_id: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(title, submit, parent)
        self.new = household is None
        household = household or {}
        self.village = village_combo(villages)
        select(self.village, village_id or household.get("village_id"))
        if self.new:
            self.add_row(_("Village"), self.village, "village_id")
            self.full_name, self.sex, self.birth_year = person_fields({})
            self.add_row(_("Head of household"), self.full_name, "full_name")
            self.add_row(_("Sex"), self.sex, "sex")
            self.add_row(_("Year of birth"), self.birth_year, "birth_year")
        self.ethnicity = code_combo("ethnicity", codes.ETHNICITIES, empty=_("(not given)"))
        select(self.ethnicity, household.get("ethnicity"))
        self.poor = code_combo("poor_status", codes.POOR_STATUS, empty=_("(not given)"))
        select(self.poor, household.get("poor_status"))
        self.phone = QLineEdit(household.get("phone") or "")
        self.phone.setObjectName("phone")
        self.phone.setPlaceholderText(_("10 digits, starting with 0"))
        self.add_row(_("Ethnic group"), self.ethnicity, "ethnicity")
        self.add_row(_("Poor or near-poor"), self.poor, "poor_status")
        self.add_row(_("Phone"), self.phone, "phone")

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ethnicity": self.ethnicity.currentData(),
                               "poor_status": self.poor.currentData(),
                               "phone": nfc(self.phone.text())}
        if self.new:
            out["village_id"] = self.village.currentData()
            out["head"] = {"full_name": nfc(self.full_name.text()),
                           "sex": self.sex.currentData(),
                           "birth_year": self.birth_year.value() or None,
                           "ethnicity": self.ethnicity.currentData()}
        return out


class MoveDialog(FormDialog):
    def __init__(self, submit: Submit, villages: list[dict[str, Any]], current: str | None,
                 parent: QWidget | None = None):
        super().__init__(_("Move the household"), submit, parent)
        self.village = village_combo([v for v in villages if v["id"] != current] or villages)
        self.add_row(_("New village"), self.village, "village_id")

    def values(self) -> dict[str, Any]:
        return {"village_id": self.village.currentData()}


class RemoveDialog(FormDialog):
    """Why a household or a person leaves the registry: a known reason or one typed."""

    def __init__(self, title: str, submit: Submit, reasons: dict[str, str],
                 parent: QWidget | None = None):
        super().__init__(title, submit, parent)
        self.intro.setText(_("Nothing is deleted: the record is kept with the reason and can "
                             "be restored."))
        self.intro.setVisible(True)
        self.reason = code_combo("reason_choice", reasons)
        self.reason.addItem(_("Another reason (write it below)"), "")
        self.other = QLineEdit()
        self.other.setObjectName("reason_text")
        self.add_row(_("Reason"), self.reason, "reason_choice")
        self.add_row(_("Other reason"), self.other, "reason")

    def values(self) -> dict[str, Any]:
        return {"reason": self.reason.currentData() or nfc(self.other.text())}


class AlikeList(QListWidget):
    """Registered households that look like the one being started, most alike first."""

    def __init__(self, households: list[dict[str, Any]], round_start: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alike_households")
        # a head of 60 characters and a long village name wrap instead of scrolling sideways
        self.setWordWrap(True)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for household in households:
            text = _("{head} – {village}, {members} · {status}").format(
                head=household["head_name"], village=household.get("village_name") or "",
                members=_("{count} members").format(
                    count=fmt_int(household.get("member_count") or 0)),
                status=survey_status(household, round_start))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, household["id"])
            self.addItem(item)
        if households:
            self.setCurrentRow(0)

    def chosen(self) -> str | None:
        item = self.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None


class StartSurveyDialog(QDialog):
    """Before a new household survey: the village and the head's name. If a registered
    household of that village has a head of a like name, it is offered first: survey it
    again (``chosen_household``) or start a new household all the same."""

    def __init__(self, villages: list[dict[str, Any]],
                 find_alike: Callable[[str, str], list[dict[str, Any]]], round_start: str,
                 *, village_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("New household survey"))
        self.setModal(True)
        prefer_width(self, 560)
        self._find_alike = find_alike
        self._round_start = round_start
        self.chosen_household: str | None = None
        self.village = village_combo(villages)
        select(self.village, village_id)
        self.head = QLineEdit()
        self.head.setObjectName("head_name")
        self.message = message_label("head_name", self)
        form = QFormLayout()
        form.addRow(_("Village"), self.village)
        form.addRow(_("Head of household"), self.head)
        self.offer = QLabel()
        self.offer.setObjectName("alike_offer")
        self.offer.setWordWrap(True)
        self.offer.setVisible(False)
        self.alike: AlikeList | None = None
        self.alike_box = QVBoxLayout()
        self.buttons = QDialogButtonBox()
        self.next_button = self.buttons.addButton(_("Continue"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.next_button.setObjectName("start_continue")
        self.existing_button = self.buttons.addButton(
            _("Survey this household again"), QDialogButtonBox.ButtonRole.ActionRole)
        self.existing_button.setObjectName("start_existing")
        self.existing_button.setVisible(False)
        self.new_button = self.buttons.addButton(_("It is another family: new household"),
                                                 QDialogButtonBox.ButtonRole.ActionRole)
        self.new_button.setObjectName("start_new")
        self.new_button.setVisible(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.next_button.clicked.connect(self.check)
        self.existing_button.clicked.connect(self.take_existing)
        self.new_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        intro = MutedLabel(_("A household already in the registry is surveyed again from its "
                             "page. Say who the head of this household is: a household of "
                             "the village with a head of a like name is offered first."))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.offer)
        layout.addLayout(self.alike_box)
        layout.addWidget(self.buttons)

    def head_name(self) -> str:
        return " ".join(nfc(self.head.text()).split())

    def village_id(self) -> str | None:
        return self.village.currentData()

    def check(self) -> None:
        """Look for a like household; none: start the new household at once."""
        self.message.setVisible(False)
        if len(self.head_name()) < 2:
            self.message.setText(_("Enter the head's full name."))
            self.message.setVisible(True)
            return
        alike = self._find_alike(self.village_id() or "", self.head_name())
        if not alike:
            self.accept()
            return
        if self.alike is not None:
            self.alike_box.removeWidget(self.alike)
            self.alike.deleteLater()
        self.alike = AlikeList(alike, self._round_start, self)
        self.alike.itemActivated.connect(lambda _item: self.take_existing())
        self.alike_box.addWidget(self.alike)
        self.offer.setText(_("This household may be registered already. Survey it again "
                             "rather than creating a second household?"))
        self.offer.setVisible(True)
        self.existing_button.setVisible(True)
        self.new_button.setVisible(True)
        self.next_button.setVisible(False)
        self.existing_button.setDefault(True)
        self.alike.setFocus()
        grow_to_fit(self)

    def take_existing(self) -> None:
        if self.alike is not None and self.alike.chosen():
            self.chosen_household = self.alike.chosen()
            self.accept()


class DuplicateDialog(QDialog):
    """Finalizing would create a household like a registered one: which is it?"""

    def __init__(self, candidates: list[dict[str, Any]], head_name: str, round_start: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Is this household registered already?"))
        self.setModal(True)
        prefer_width(self, 560)
        self.choice: str | None = None
        text = QLabel(_("The survey is of “{head}”. These households of the same village are "
                        "registered with a head of a like name. If the survey is of one of "
                        "them, its round updates that household instead of creating a second "
                        "one.").format(head=head_name))
        text.setWordWrap(True)
        self.alike = AlikeList(candidates, round_start, self)
        buttons = QDialogButtonBox()
        same = buttons.addButton(_("It is this household"), QDialogButtonBox.ButtonRole.AcceptRole)
        same.setObjectName("duplicate_same")
        new = buttons.addButton(_("It is another family: new household"),
                                QDialogButtonBox.ButtonRole.ActionRole)
        new.setObjectName("duplicate_new")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        same.clicked.connect(self._same)
        new.clicked.connect(self._new)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.alike)
        layout.addWidget(buttons)

    def _same(self) -> None:
        self.choice = self.alike.chosen()
        if self.choice:
            self.accept()

    def _new(self) -> None:
        from fieldapp.services.surveys import NEW_HOUSEHOLD

        self.choice = NEW_HOUSEHOLD
        self.accept()
