"""A form printed for paper (fieldapp.core.forms.paper lays it out): numbered questions with
boxes to tick, the roster as a table, the questions asked of each person as a grid, skip
instructions, and the values the form works out. Labels are Vietnamese, or a label pack's with
the Vietnamese beneath. A household's pre-filled questionnaire for a re-survey carries the
household's code and its registry roster.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Protocol

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer

from fieldapp.core.forms.model import Choice, Field, Node
from fieldapp.core.forms.paper import ROSTER_ROWS, Heading, Layout, Note, Question, Roster
from fieldapp.i18n.catalog import _
from fieldapp.reports import pdf
from fieldapp.reports.marks import BOX, DIGIT_BOX, TICKED, legend, questionnaire_marks
from fieldapp.reports.pdf import Label

_ONLY_REF = re.compile(r"^\$\{[^}]+\}$")


class Labels(Protocol):
    note: str
    language: str
    """"vi" or the pack code the labels are printed in (the legend names it)."""

    def node(self, node: Node, column: str = "label", *, strip: bool = False) -> Label: ...

    def choice(self, list_name: str, choice: Choice) -> Label: ...

    def title(self) -> Label: ...


@dataclass
class Prefill:
    """A household's registry data for a re-survey questionnaire."""

    household_id: str
    code: str
    head: str
    village: str
    rows: list[dict[str, str]] = field(default_factory=list)
    """Roster rows: field name -> value (codes as stored)."""
    values: dict[str, str] = field(default_factory=dict)
    """Questions the form works out from the roster (this year's rotating part): ticked."""


@dataclass
class QuestionnaireData:
    layout: Layout
    labels: Labels
    printed_on: dt.date
    registry: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Registry lists (villages.csv ...) as (code, label), when a database was given."""
    prefill: Prefill | None = None


class _Doc:
    def __init__(self, data: QuestionnaireData):
        self.data = data
        self.form = data.layout.form
        self.labels = data.labels
        self.s = pdf.styles()
        self.width = pdf.frame_width()
        self.story: list = []

    def p(self, value, style="body"):
        return pdf.para(value, self.s[style])

    def label(self, node: Node) -> Label:
        return self.labels.node(node, strip=True)

    def choice_label(self, node: Field, name: str) -> Label:
        found = self.form.choice_lists[node.list_name].by_name(name)
        return self.labels.choice(node.list_name, found) if found else Label(name)

    # -- pieces ------------------------------------------------------------------------------
    def _person_choice(self, node: Field, name: str) -> bool:
        """A choice named after a person of the roster (its label is only a ${reference}, as
        in a question asked once about everyone)."""
        found = self.form.choice_lists[node.list_name].by_name(name)
        return found is not None and bool(_ONLY_REF.match(self.form.text(found.label).strip()))

    def roster_choices(self, question: Question) -> str:
        """People by their number in the roster (a box each), then the other answers."""
        node = question.field
        prefill = self.data.prefill
        people = max(len(prefill.rows), 1) if prefill else ROSTER_ROWS
        persons = [n for name, n in question.choices if self._person_choice(node, name)]
        boxes = "  ".join(f"{BOX} {n}" for n in persons[:people])
        lines = [pdf.text(_("People by their number (#) in the list of members:")) + " " + boxes]
        lines += [f"{BOX} {self.choice_label(node, name).markup(6.5)}"
                  for name, _n in question.choices if not self._person_choice(node, name)]
        return "<br/>".join(lines) + "<br/>" + pdf.text(_("(tick every answer that applies)"))

    def answer_lines(self, question: Question, *, compact: bool = False) -> str:
        """Markup of the answer area of a question."""
        node = question.field
        if question.choices and any(self._person_choice(node, name)
                                    for name, _n in question.choices):
            return self.roster_choices(question)
        if question.choices:
            parts = []
            for name, number in question.choices:
                skip = question.skips.get(name, "")
                arrow = ""
                if name in question.skips:
                    end = _("next person") if node.repeat is not None else \
                        _("end of the questionnaire")
                    arrow = " → " + (_("question {number}").format(number=skip) if skip
                                     else end)
                label = self.choice_label(node, name)
                prefill = self.data.prefill
                box = TICKED if prefill and prefill.values.get(node.name) == name else BOX
                text = (f"{number} {label.inline(6)}" if compact else
                        f"{box} {number} {label.markup(6.5)}")
                parts.append(text + (f" <b>{pdf.text(arrow)}</b>" if arrow else ""))
            joiner = " · " if compact else "<br/>"
            lines = joiner.join(parts)
            if node.type == "select_multiple":
                lines += "<br/>" + pdf.text(_("(tick every answer that applies)"))
            return lines
        if node.from_file:
            rows = self.data.registry.get(node.from_file)
            if rows and len(rows) <= 30 and not compact:
                return "<br/>".join(f"{BOX} {pdf.text(label)}" for _code, label in rows)
            return pdf.text(_("Write: ") + "." * 50)
        if node.type in ("integer", "decimal", "range"):
            return f'<font size="13">{DIGIT_BOX * (4 if node.type != "decimal" else 6)}</font>'
        if node.type == "date":
            return pdf.text("__ / __ / ______  " + _("(day/month/year)"))
        if node.type == "acknowledge":
            return BOX + " " + pdf.text(_("Done"))
        if node.type == "text" and "multiline" in node.appearance:
            return "<br/>".join(["." * 110] * 3)
        return "." * 80

    def condition(self, text: str) -> str:
        sentence = _("Ask only if {condition}.").format(condition=text)
        return f'<font size="7"><i>{pdf.text(sentence)}</i></font>'

    def question_block(self, question: Question) -> None:
        s = self.s
        node = question.field
        body = self.label(node).markup(7)
        if node.hint:
            body += f'<br/><font size="7">{self.labels.node(node, "hint", strip=True).markup(6)}</font>'
        if question.condition:
            body += "<br/>" + self.condition(question.condition)
        body += "<br/>" + self.answer_lines(question)
        number = _("Question {number}").format(number=question.number)
        table = pdf.grid([[Paragraph(f"<b>{pdf.text(number)}</b>", s["cell"]),
                           Paragraph(body, s["cell"])]], [14 * mm, self.width - 14 * mm],
                         header_rows=0, zebra=False,
                         extra=[("LINEABOVE", (0, 0), (-1, 0), 0.4, pdf.colors.black),
                                ("GRID", (0, 0), (-1, -1), 0, pdf.colors.white)])
        table.splitInRow = 1  # a question longer than a page (hundreds of choices) runs on
        self.story.append(table)

    def note_block(self, note: Note) -> None:
        body = self.label(note.node).markup(7)
        if note.condition:
            body += "<br/>" + self.condition(note.condition)
        self.story.append(pdf.grid([[Paragraph(body, self.s["cell"])]], [self.width],
                                   header_rows=0, zebra=False,
                                   extra=[("BACKGROUND", (0, 0), (-1, -1), pdf.LIGHT)]))

    def heading(self, node: Node | None, condition: str = "", level: str = "h2") -> None:
        if node is None or not node.label:
            return
        items = [Paragraph(self.label(node).markup(8), self.s[level])]
        if condition:
            items.append(Paragraph(self.condition(condition), self.s["body"]))
        self.story.append(CondPageBreak(30 * mm))
        self.story.extend(items)

    def roster(self, roster: Roster) -> None:
        s = self.s
        if not roster.columns:
            if roster.grid:
                self.person_grid(roster, roster.rows)
            return
        rows_data = self.data.prefill.rows if self.data.prefill else []
        count = max(roster.rows, len(rows_data) + 2)
        for i, part in enumerate(_column_parts(roster.columns)):
            if i:
                self.story.append(Spacer(1, 1.5 * mm))
            self._roster_table(part, rows_data, count)
        columns = roster.columns
        legend = []
        for q in columns:
            text = ""
            if q.choices:
                text = " · ".join(f"{number} {self.choice_label(q.field, name).inline(6)}"
                                  for name, number in q.choices)
            if q.condition:
                text += (" " if text else "") + self.condition(q.condition)
            if text:
                legend.append(Paragraph(f"<b>{q.number}</b> {text}", s["small"]))
        self.story.extend([Spacer(1, 1.5 * mm), *legend])
        if roster.grid:
            self.person_grid(roster, count)

    def _roster_table(self, columns: list[Question], rows_data: list[dict[str, str]],
                      count: int) -> None:
        s = self.s
        head = [Paragraph("#", s["head"])] + [
            Paragraph(f"<b>{q.number}</b> {self.label(q.field).markup(5.5)}", s["head"])
            for q in columns]
        rows = [head]
        for i in range(count):
            values = rows_data[i] if i < len(rows_data) else {}
            row = [pdf.para(i + 1, s["cell"])]
            for q in columns:
                value = values.get(q.field.name, "")
                if value and q.choices:
                    number = dict(q.choices).get(value)
                    label = self.choice_label(q.field, value)
                    value = f"{number} ({label.secondary or label.primary})" if number else value
                row.append(pdf.para(value, s["cell"]))
            rows.append(row)
        weights = [_weight(q) for q in columns]
        unit = (self.width - 7 * mm) / sum(weights)
        widths = [7 * mm] + [unit * w for w in weights]
        # Room to write by hand in each row.
        self.story.append(pdf.grid(rows, widths, extra=[("TOPPADDING", (0, 1), (-1, -1), 6),
                                                        ("BOTTOMPADDING", (0, 1), (-1, -1), 6)]))

    def person_grid(self, roster: Roster, count: int) -> None:
        s = self.s
        people = min(count, 8)
        head = [Paragraph("#", s["head"]), Paragraph(_("Question and answer codes"), s["head"])]
        head += [pdf.para(i + 1, s["head_center"]) for i in range(people)]
        rows = [head]
        spans = []
        for item in roster.grid:
            if isinstance(item, Heading):
                text = self.label(item.node).markup(6.5)
                if item.condition:
                    text += "<br/>" + self.condition(item.condition)
                rows.append([Paragraph(f"<b>{text}</b>", s["cell"])] + [""] * (people + 1))
                spans.append(("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)))
                spans.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), pdf.GREY))
                continue
            body = self.label(item.field).markup(6.5)
            if item.condition:
                body += "<br/>" + self.condition(item.condition)
            body += "<br/>" + self.answer_lines(item, compact=True)
            rows.append([Paragraph(f"<b>{item.number}</b>", s["cell"]),
                         Paragraph(body, s["cell"])] + [""] * people)
        cell = 9 * mm
        self.story.append(Spacer(1, 3 * mm))
        self.story.append(Paragraph(_("Questions for each person (write the answer's code in "
                                      "the person's column)"), s["h2"]))
        self.story.append(pdf.grid(rows, [9 * mm, self.width - 9 * mm - cell * people] +
                                   [cell] * people, zebra=False, extra=spans))

    # -- the document ------------------------------------------------------------------------
    def header(self) -> None:
        s = self.s
        d = self.data
        title = self.labels.title()
        self.story.append(Paragraph(title.markup(10), s["title"]))
        self.story.append(self.p(_("Paper questionnaire, to be typed into fieldapp later"),
                                 "subtitle"))
        prefill = d.prefill
        code = prefill.code if prefill else "_" * 14
        def line(label: str, value: str, style: str = "cell") -> Paragraph:
            return Paragraph(f"<b>{pdf.text(label)}:</b> {pdf.text(value)}", s[style])

        rows = [[line(_("Household code"), code),
                 line(_("Village"), prefill.village if prefill else "_" * 20)],
                [line(_("Interviewer"), "_" * 24), line(_("Date"), "__ / __ / ______")]]
        if prefill:
            rows.insert(1, [line(_("Head of household"), prefill.head),
                            line(_("Code in the app"), prefill.household_id, "small")])
        self.story.append(pdf.grid(rows, [self.width / 2] * 2, header_rows=0, zebra=False))
        self.story.append(Spacer(1, 2 * mm))
        self.story.extend(legend(questionnaire_marks(getattr(self.labels, "language", None)),
                                 s, self.width))
        if self.labels.note:
            self.story.append(self.p(self.labels.note, "small"))
        worked = d.layout.worked_out
        if worked:
            names = d.layout.value_names
            lines = [Paragraph(f"<b>{pdf.text('[' + names.get(node.name, node.name) + ']')}"
                               f"</b> = {pdf.text(text)}", s["small"]) for node, text in worked]
            self.story.append(KeepTogether([
                Spacer(1, 2 * mm),
                Paragraph(pdf.text(_("Values worked out from the answers (used in the "
                                     "instructions)")), s["head"]), *lines]))
        self.story.append(Spacer(1, 3 * mm))

    def body(self) -> None:
        for section in self.data.layout.sections:
            self.heading(section.node, section.condition, "h1")
            for item in section.items:
                if isinstance(item, Roster):
                    naming = item.repeat.parent if not item.repeat.label or \
                        "${" in str(item.repeat.label) else item.repeat
                    if naming is not section.node:
                        self.heading(naming, "")
                    self.roster(item)
                elif isinstance(item, Heading):
                    self.heading(item.node, item.condition)
                elif isinstance(item, Note):
                    self.note_block(item)
                else:
                    self.question_block(item)


MAX_UNITS = 12
"""Width units of a roster table at most (a name column counts 3): a repeat of 148 questions
(mathieubossaert's suivi_maille_bota) gave columns narrower than their padding, and reportlab
stopped. Wider rosters continue in a table below, each with the row numbers."""


def _weight(question: Question) -> int:
    return 3 if question.field.name.endswith("name") else 1


def _column_parts(columns: list[Question]) -> list[list[Question]]:
    parts: list[list[Question]] = [[]]
    for q in columns:
        if parts[-1] and sum(map(_weight, parts[-1])) + _weight(q) > MAX_UNITS:
            parts.append([])
        parts[-1].append(q)
    return parts


def render(data: QuestionnaireData) -> bytes:
    doc = _Doc(data)
    doc.header()
    doc.body()
    title = data.labels.title().primary
    code = _("Household code") + ": " + data.prefill.code if data.prefill else ""
    footer = title + (" – " + code if code else "")
    return pdf.build(doc.story, title=title, subject=_("Paper questionnaire"),
                     footer=footer + " – " + pdf.day(data.printed_on))
