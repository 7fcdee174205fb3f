"""Trainer progress sheets: for each class a grid of learners by skills (levels as symbols that
print in black and white, with a legend) and attendance, then one page per learner with each
skill's level, the dates it was recorded and the next step.

Labels (skills, levels, attendance) come in a :class:`Label`: the label pack's text with the
Vietnamese beneath when a pack is chosen, Vietnamese alone otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, NextPageTemplate, PageBreak, Paragraph, Spacer

from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import format_number
from fieldapp.reports import pdf
from fieldapp.reports.pdf import Label

SYMBOLS = {"not_started": "○", "shown": "◔", "with_help": "◑", "alone": "●"}
ATTENDANCE = {"present": "✓", "late": "M", "absent": "–"}


@dataclass
class Learner:
    id: str
    name: str
    kind: str
    attendance: dict[dt.date, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    """skill -> latest level."""
    history: dict[str, list[tuple[dt.date, str]]] = field(default_factory=dict)
    """skill -> (date, level) whenever the level changed, oldest first."""


@dataclass
class ClassSheet:
    id: str
    name: str
    trainer: str
    village: str
    days: list[dt.date]
    learners: list[Learner]


@dataclass
class ProgressData:
    commune: str
    printed_on: dt.date
    printed_by: str
    classes: list[ClassSheet]
    skills: list[tuple[str, str, Label]]
    """(code, short code shown in the grid such as "S3", label)."""
    levels: list[tuple[str, Label]]
    attendance: list[tuple[str, Label]]
    language_note: str = ""
    """Which labels are shown (a pack, or why Vietnamese)."""
    wanted_class: str | None = None
    """The class asked for, when none matched."""
    other_classes: list[str] = field(default_factory=list)


def next_step(learner: Learner, skills: list[tuple[str, str, Label]]) -> tuple[str, Label | None]:
    """The first skill (in order) not yet done alone, with a sentence; ("", None) when all are."""
    started = [(code, short, label) for code, short, label in skills if code in learner.levels]
    for code, short, label in started:
        level = learner.levels[code]
        if level == "not_started":
            return _("Start {skill}: show how it is done, step by step.").format(skill=short), \
                label
        if level == "shown":
            return _("Practise {skill} together until it can be done with some help.").format(
                skill=short), label
        if level == "with_help":
            return _("Practise {skill} until it can be done alone.").format(skill=short), label
    if started:
        return _("Every skill is done alone: ready to help others learn."), None
    return "", None


class _Doc:
    def __init__(self, data: ProgressData):
        self.data = data
        self.s = pdf.styles()
        self.story: list = []

    def p(self, value, style="body"):
        return pdf.para(value, self.s[style])

    def legend(self, width: float) -> list:
        s = self.s
        d = self.data
        cells = [Paragraph(f"<b>{SYMBOLS[code]}</b> {label.markup()}", s["cell"])
                 for code, label in d.levels]
        cells += [Paragraph(f"<b>{ATTENDANCE[code]}</b> {label.markup()}", s["cell"])
                  for code, label in d.attendance if code in ATTENDANCE]
        table = pdf.grid([cells], [width / len(cells)] * len(cells),
                         header_rows=0, zebra=False)
        notes = [self.p(d.language_note, "small")] if d.language_note else []
        if any(label.unreviewed for _c, _s, label in d.skills):
            notes.append(self.p(_("° translation not yet reviewed by a native speaker"),
                                "small"))
        return [Paragraph(_("Legend").upper(), s["head"]), table, *notes]

    def class_grid(self, sheet: ClassSheet) -> None:
        d = self.data
        s = self.s
        width = pdf.frame_width(True)
        self.story.append(self.p(_("Class progress: {name}").format(name=sheet.name), "title"))
        self.story.append(self.p(
            _("Trainer: {trainer} · Village: {village} · Class days: {days} · Learners: "
              "{learners} · Printed on {date}").format(
                trainer=sheet.trainer or "—", village=sheet.village or "—",
                days=format_number(len(sheet.days)), learners=format_number(len(sheet.learners)),
                date=pdf.day(d.printed_on)), "subtitle"))
        self.story.append(Spacer(1, 3 * mm))
        if not sheet.learners:
            self.story.append(self.p(_("This class has no learners yet."), "body"))
            return
        days = sheet.days[-8:]
        skills = [(c, short) for c, short, _l in d.skills
                  if any(c in learner.levels for learner in sheet.learners)]
        head = [Paragraph("#", s["head"]), Paragraph(_("Learner"), s["head"])]
        head += [pdf.para(short, s["head_center"]) for _c, short in skills]
        head += [pdf.para(day.strftime("%d/%m"), s["head_center"]) for day in days]
        rows = [head]
        for number, learner in enumerate(sheet.learners, start=1):
            row = [pdf.para(number, s["cell"]), pdf.para(learner.name, s["cell"])]
            row += [pdf.para(SYMBOLS.get(learner.levels.get(c, ""), ""), s["cell_center"])
                    for c, _short in skills]
            row += [pdf.para(ATTENDANCE.get(learner.attendance.get(day, ""), ""),
                             s["cell_center"]) for day in days]
            rows.append(row)
        fixed = 8 * mm + 48 * mm
        cell = min(11 * mm, (width - fixed) / max(1, len(skills) + len(days)))
        extra = [("LINEBEFORE", (2 + len(skills), 0), (2 + len(skills), -1), 1.2,
                  pdf.colors.black)] if days else []
        self.story.append(pdf.grid(rows, [8 * mm, 48 * mm] + [cell] * (len(skills) + len(days)),
                                   extra=extra))
        self.story.append(Spacer(1, 3 * mm))
        names = [[Paragraph(f"<b>{pdf.text(short)}</b>", s["cell"]),
                  Paragraph(label.markup(), s["cell"])]
                 for code, short, label in d.skills if code in dict(skills)]
        half = (len(names) + 1) // 2
        pairs = [names[i] + (names[i + half] if i + half < len(names) else ["", ""])
                 for i in range(half)]
        if pairs:
            self.story.append(KeepTogether([
                Paragraph(_("Skills").upper(), s["head"]),
                pdf.grid(pairs, [12 * mm, width / 2 - 12 * mm] * 2, header_rows=0, zebra=False),
                Spacer(1, 2 * mm), *self.legend(width)]))

    def learner_page(self, sheet: ClassSheet, learner: Learner) -> None:
        d = self.data
        s = self.s
        width = pdf.frame_width()
        self.story.append(self.p(_("Learning progress: {name}").format(name=learner.name),
                                 "title"))
        self.story.append(self.p(_("Class: {name} · Trainer: {trainer} · Village: {village}")
                                 .format(name=sheet.name, trainer=sheet.trainer or "—",
                                         village=sheet.village or "—"), "subtitle"))
        present = sum(1 for a in learner.attendance.values() if a in ("present", "late"))
        self.story.append(self.p(_("Attended {present} of {days} class days · Printed on "
                                   "{date}").format(present=present,
                                                    days=len(learner.attendance),
                                                    date=pdf.day(d.printed_on)),
                                 "subtitle"))
        self.story.append(Spacer(1, 3 * mm))
        levels = dict(d.levels)
        rows = [[pdf.para(_("Skill"), s["head"]), pdf.para(_("Level now"), s["head"]),
                 pdf.para(_("First recorded"), s["head"]), pdf.para(_("Reached on"), s["head"])]]
        for code, short, label in d.skills:
            if code not in learner.levels:
                continue
            level = learner.levels[code]
            history = learner.history.get(code, [])
            first = history[0] if history else None
            reached = history[-1][0] if history else None
            level_label = levels.get(level, Label(level))
            rows.append([
                Paragraph(f"<b>{pdf.text(short)}</b> {label.markup()}", s["cell"]),
                Paragraph(f"{SYMBOLS.get(level, '')} {level_label.markup()}", s["cell"]),
                Paragraph(pdf.text(pdf.day(first[0])) + "<br/>" +
                          levels.get(first[1], Label(first[1])).markup()
                          if first else "—", s["cell"]),
                pdf.para(pdf.day(reached) if reached else "—", s["cell"])])
        self.story.append(pdf.grid(rows, [width * 0.42, width * 0.26, width * 0.18,
                                          width * 0.14]))
        sentence, label = next_step(learner, d.skills)
        if sentence:
            self.story.append(Spacer(1, 4 * mm))
            self.story.append(Paragraph(_("Next step").upper(), s["h2"]))
            self.story.append(self.p(sentence, "body"))
            if label is not None:
                self.story.append(Paragraph(label.markup(8), s["body"]))
        self.story.append(Spacer(1, 4 * mm))
        self.story.extend(self.legend(width))


def render(data: ProgressData) -> bytes:
    doc = _Doc(data)
    s = doc.s
    if not data.classes:
        doc.story.append(doc.p(_("Training progress"), "title"))
        if data.wanted_class:
            doc.story.append(doc.p(_("No class “{name}” has learners.").format(
                name=data.wanted_class), "body"))
        else:
            doc.story.append(doc.p(_("No training class has been recorded yet."), "body"))
        if data.other_classes:
            doc.story.append(doc.p(_("Classes recorded: {names}").format(
                names="; ".join(data.other_classes)), "body"))
        doc.story.append(Paragraph(_("Printed on {date} by {name}").format(
            date=pdf.day(data.printed_on), name=pdf.text(data.printed_by or "—")),
            s["small"]))
    for index, sheet in enumerate(data.classes):
        if index:
            doc.story += [NextPageTemplate("landscape"), PageBreak()]
        doc.class_grid(sheet)
        for learner in sheet.learners:
            doc.story += [NextPageTemplate("portrait"), PageBreak()]
            doc.learner_page(sheet, learner)
    title = _("Training progress – {commune}").format(commune=data.commune)
    return pdf.build(doc.story, title=title, author=data.printed_by,
                     subject=_("Trainer progress sheets"), footer=title, landscape_pages=True)
