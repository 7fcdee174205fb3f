"""The field records in the XLSX/CSV export: support sessions and the persons helped, training
classes, attendance and progress (the records of the Sessions and Training screens).

Like the forms' tables: codes with their labels in the column beside (labels from the shipped
forms, fieldapp.services.workflow_codes), two header rows, rows streamed from the database.
``names=False`` leaves out people's names and free text (notes, "other" outcomes); the ids
stay, so tables still join. A period keeps the sessions, persons helped and attendance of its
dates; classes and the progress grid (levels as they stand) are written whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fieldapp.i18n.catalog import _, pgettext
from fieldapp.reports.tables import Column
from fieldapp.services.indicators import Period, ReportCancelled
from fieldapp.services.workflow_codes import Code, shipped_codes
from fieldapp.storage.store import Store

# Left out without names: people's names and free text.
_PERSONAL = {"member_name", "notes", "full_name", "head_name", "outcome_other", "trainer",
             "learner_name"}


def _labels(codes: Iterable[Code], value: str | None) -> str:
    known = {c.code: c for c in codes}
    return " | ".join(known[v].label("vi") if v in known else v for v in (value or "").split())


def write_field_work(store: Store, tables, *, names: bool, period: Period,
                     cancelled: Callable[[], bool]) -> tuple[int, int]:
    """Write the field work's tables into ``tables``; returns (tables, rows)."""
    codes = shipped_codes()
    start = period.start.isoformat() if period.start else None
    end = period.end.isoformat() if period.end else None
    source = store.field_export

    def write(name: str, spec: list[tuple[str, str, float, Callable[[dict], Any]]],
              rows: Iterable[dict[str, Any]]) -> int:
        if cancelled():
            raise ReportCancelled(_("The export was cancelled; nothing was written."))
        kept = [s for s in spec if names or s[0] not in _PERSONAL]
        handle = tables.table(name, [Column(code, label, width) for code, label, width, _f in kept])
        count = 0
        for row in rows:
            tables.append(handle, [value(row) for _c, _l, _w, value in kept])
            count += 1
            if count % 500 == 0 and cancelled():
                raise ReportCancelled(_("The export was cancelled; nothing was written."))
        return count

    def col(key: str) -> Callable[[dict], Any]:
        return lambda row: row.get(key)

    total = write("sessions", [
        ("_id", _("Record id"), 38, col("id")), ("date", _("Date"), 11, col("date")),
        ("village_id", _("Village id"), 38, col("village_id")),
        ("village", _("Village"), 18, col("village_name")),
        ("team_id", _("Team id"), 38, col("team_id")), ("team", _("Team"), 24, col("team_name")),
        ("members", _("Team members present (ids)"), 40, col("members")),
        ("activities", _("Activities"), 30, col("activities")),
        ("activities_label", _("Activities (labels)"), 50,
         lambda r: _labels(codes.activities, r["activities"])),
        ("duration_min", _("Duration (minutes)"), 9, col("duration_min")),
        ("follow_up_date", _("Follow-up date"), 11, col("follow_up_date")),
        ("follow_up_done", _("Follow-up done"), 11, col("follow_up_done")),
        ("follow_up_of", _("Follow-up of session"), 38, col("follow_up_of")),
        ("notes", _("Notes"), 40, col("notes")),
        ("user_id", _("Logged by (id)"), 38, col("user_id")),
        ("member_name", _("Logged by"), 20, col("user_name")),
        ("_updated", _("Last changed"), 20, col("updated_at"))],
        source.sessions(start, end))
    total += write("sessions.persons_helped", [
        ("_parent", _("Session id"), 38, col("session_id")), ("_id", _("Record id"), 38, col("id")),
        ("date", _("Date"), 11, col("date")),
        ("person_id", _("Person id"), 38, col("person_id")),
        ("full_name", _("Name"), 24, col("full_name")),
        ("household_id", _("Household id"), 38, col("household_id")),
        ("head_name", _("Head of household"), 24, col("head_name")),
        ("outcomes", _("Outcomes"), 30, col("outcomes")),
        ("outcomes_label", _("Outcomes (labels)"), 50,
         lambda r: _labels(codes.outcomes, r["outcomes"])),
        ("outcome_other", _("Other outcome"), 30, col("outcome_other"))],
        source.persons_helped(start, end))
    total += write("classes", [
        ("_id", _("Record id"), 38, col("id")), ("name", _("Class"), 40, col("name")),
        ("start_date", pgettext("period", "From"), 11, col("start_date")),
        ("end_date", pgettext("period", "To"), 11, col("end_date")),
        ("village_id", _("Village id"), 38, col("village_id")),
        ("village", _("Village"), 18, col("village_name")),
        ("place", _("Place"), 24, col("place")),
        ("trainer_id", _("Trainer id"), 38, col("trainer_id")),
        ("trainer", _("Trainer"), 20, col("trainer_name")),
        ("skills", _("Skills"), 24, col("skills")),
        ("learner_type", _("Learner type"), 10, col("learner_type")),
        ("learner_type_label", _("Learner type (label)"), 20,
         lambda r: _labels(codes.learner_types, r["learner_type"])),
        ("learners", _("Learners"), 9, col("learner_count")),
        ("notes", _("Notes"), 40, col("notes"))],
        source.classes())
    learner = [("_parent", _("Class id"), 38, col("class_id")),
               ("class", _("Class"), 30, col("class_name")),
               ("enrolment_id", _("Enrolment id"), 38, col("enrolment_id")),
               ("person_id", _("Person id"), 38, col("person_id")),
               ("user_id", _("Team member id"), 38, col("user_id")),
               ("learner_name", _("Learner"), 24, col("learner_name"))]
    total += write("classes.attendance", learner + [
        ("date", _("Date"), 11, col("date")), ("status", _("Attendance"), 10, col("status")),
        ("status_label", _("Attendance (label)"), 16,
         lambda r: _labels(codes.attendance, r["status"]))],
        source.attendance(start, end))
    total += write("classes.progress", learner + [
        ("skill", _("Skill"), 8, col("skill")),
        ("skill_label", _("Skill (label)"), 40, lambda r: _labels(codes.skills, r["skill"])),
        ("level", _("Level"), 12, col("level")),
        ("level_label", _("Level (label)"), 24, lambda r: _labels(codes.levels, r["level"])),
        ("assessed_on", _("Assessed on"), 11, col("assessed_on"))],
        source.progress())
    return 5, total
