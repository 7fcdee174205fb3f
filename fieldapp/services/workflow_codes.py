"""The codes of the field workflows, read from the shipped forms: one source of truth.

The support session log (forms/support_session.xlsx) defines the session activities and the
outcomes for a person; the training progress sheet (forms/training_progress.xlsx) defines the
skills (its S1-S12 and M1-M2 questions), the level scale, attendance and the learner types.
The quick screens offer exactly these codes with the forms' own labels, so what a quick log
stores, what the form stores, what the printed questionnaire and the label packs show and what
exports count are the same codes. A commune that ships its own copy of a form (in its data
folder) changes the quick screens with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _, current_language
from fieldapp.i18n.languages import texts_by_code

if TYPE_CHECKING:
    from fieldapp.storage.store import Store

SUPPORT_SESSION = "support_session"
TRAINING_PROGRESS = "training_progress"
# The questions whose choices are the codes (their names in the shipped forms).
ACTIVITIES_FIELD = "activities"
OUTCOMES_FIELD = "outcomes"
LEARNER_TYPE_FIELD = "learner_type"
ATTENDANCE_FIELD = "attendance"
MEMBER_LEARNER = "member"
"""The learner type of team members (who are users, not persons of the registry)."""
NO_OUTCOME = "none"
OTHER_OUTCOME = "other"


@dataclass(frozen=True)
class Code:
    """A code and its label in each language of the form ({"vi": ..., "en": ...})."""

    code: str
    labels: dict[str, str] = field(default_factory=dict, compare=False)

    def label(self, language: str | None = None) -> str:
        """The label in ``language`` (default: the interface language), else Vietnamese."""
        language = language or current_language()
        return (self.labels.get(language) or self.labels.get("vi")
                or next(iter(self.labels.values()), self.code))


@dataclass(frozen=True)
class Skill(Code):
    """A skill of the checklist: its question in the training form and the group it is in."""

    group: str = ""
    group_labels: dict[str, str] = field(default_factory=dict, compare=False)
    members_only: bool = False
    """Asked only of team members (M1, M2)."""

    def short(self) -> str:
        """"S1" for the header of a narrow column."""
        return self.code.upper()

    def group_label(self, language: str | None = None) -> str:
        return Code(self.group, self.group_labels).label(language)


@dataclass(frozen=True)
class WorkflowCodes:
    activities: tuple[Code, ...]
    outcomes: tuple[Code, ...]
    skills: tuple[Skill, ...]
    levels: tuple[Code, ...]
    """The level scale, lowest first (not started, shown, with help, alone)."""
    attendance: tuple[Code, ...]
    learner_types: tuple[Code, ...]

    @staticmethod
    def _find(codes: tuple[Code, ...], code: str | None) -> Code | None:
        return next((c for c in codes if c.code == code), None)

    def activity(self, code: str | None) -> Code | None:
        return self._find(self.activities, code)

    def outcome(self, code: str | None) -> Code | None:
        return self._find(self.outcomes, code)

    def skill(self, code: str | None) -> Skill | None:
        return next((s for s in self.skills if s.code == code), None)

    def level(self, code: str | None) -> Code | None:
        return self._find(self.levels, code)

    def level_rank(self, code: str | None) -> int:
        """Position on the scale (0 = not started); -1 for no level."""
        return next((i for i, c in enumerate(self.levels) if c.code == code), -1)

    def learner_type(self, code: str | None) -> Code | None:
        return self._find(self.learner_types, code)

    def label_of(self, codes: tuple[Code, ...], code: str | None) -> str:
        found = self._find(codes, code)
        return found.label() if found else (code or "")


def _choices(form, field_name: str) -> tuple[Code, ...]:
    node = form.fields.get(field_name)
    if node is None or not node.list_name or node.list_name not in form.choice_lists:
        raise UserError(_("The form {form} has no question {question} with a list of "
                          "choices; the quick screens take their codes from it.").format(
                              form=form.form_id, question=field_name))
    return tuple(Code(c.name, texts_by_code(c.label))
                 for c in form.choice_lists[node.list_name].choices)


def _skills(form) -> tuple[tuple[Skill, ...], tuple[Code, ...]]:
    """The skill questions (select_one from the same list as the first of them, whose name
    is a code such as s1 or m1) in form order, and that list (the level scale)."""
    skills: list[Skill] = []
    level_list = None
    for node in form.fields.values():
        if node.type != "select_one" or not node.list_name or node.repeat is not None:
            continue
        name = node.name.lower()
        if not (len(name) >= 2 and name[0] in "sm" and name[1:].isdigit()):
            continue
        if level_list is None:
            level_list = node.list_name
        elif node.list_name != level_list:
            continue
        group = node.parent
        group_name = group.name if group is not None and group.parent is not None else ""
        relevant = group.source.get("relevant", "") if group is not None else ""
        skills.append(Skill(name, texts_by_code(node.label), group_name,
                            texts_by_code(group.label) if group is not None else {},
                            members_only=f"'{MEMBER_LEARNER}'" in relevant))
    if level_list is None or level_list not in form.choice_lists:
        raise UserError(_("The form {form} has no skill questions (S1, S2 …); the training "
                          "screens take the skills from it.").format(form=form.form_id))
    levels = tuple(Code(c.name, texts_by_code(c.label))
                   for c in form.choice_lists[level_list].choices)
    return tuple(skills), levels


def codes_from_forms(session_form, training_form) -> WorkflowCodes:
    skills, levels = _skills(training_form)
    return WorkflowCodes(
        activities=_choices(session_form, ACTIVITIES_FIELD),
        outcomes=_choices(session_form, OUTCOMES_FIELD),
        skills=skills, levels=levels,
        attendance=_choices(training_form, ATTENDANCE_FIELD),
        learner_types=_choices(training_form, LEARNER_TYPE_FIELD))


def load_codes(catalog=None) -> WorkflowCodes:
    """The codes from the forms the app offers (a commune's copy replaces the shipped one)."""
    from fieldapp.services.forms import FormCatalog

    catalog = catalog or FormCatalog()
    try:
        _p1, session_form = catalog.current(SUPPORT_SESSION)
        _p2, training_form = catalog.current(TRAINING_PROGRESS)
    except KeyError as missing:
        raise UserError(_("The form {form} is missing or cannot be loaded; the session and "
                          "training screens need it.").format(form=missing.args[0])) from None
    return codes_from_forms(session_form, training_form)


@lru_cache(maxsize=4)
def _shipped(forms_dir: Path, stamp: tuple) -> WorkflowCodes:
    from fieldapp.services.forms import FormCatalog

    return load_codes(FormCatalog([forms_dir]))


def shipped_codes() -> WorkflowCodes:
    """The codes of the shipped forms only (cached while the files do not change)."""
    from fieldapp import paths

    folder = paths.forms_dir()
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.xlsx")))
    return _shipped(folder, stamp)


class WorkflowService:
    """A service of the field workflows: the store, the forms' codes (``codes()``, read when
    first needed), today's date (a clock the tests set) and the registry (new persons)."""

    def __init__(self, store: "Store", codes: Callable[[], WorkflowCodes], *,
                 today: Callable[[], dt.date] = dt.date.today):
        from fieldapp.services.registry import Registry

        self.store = store
        self._codes = codes
        self._today = today
        self.registry = Registry(store, today=today)
