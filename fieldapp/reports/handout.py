"""The citizen handout: one page for one household, to leave with the family. For each member,
what they can already do and the next steps (where to go), skills named in the household's
label pack with the Vietnamese beneath; the team to ask; and the safety rule. It prints no
password, OTP, identity number, phone number or free-text note: only skills and directions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from fieldapp.i18n.catalog import _
from fieldapp.reports import pdf
from fieldapp.reports.pdf import Label


@dataclass
class HandoutPerson:
    name: str
    age: int | None
    can: list[Label] = field(default_factory=list)
    with_help: list[Label] = field(default_factory=list)
    next_steps: list[tuple[str, Label]] = field(default_factory=list)
    """(where to go / what to do, the skill)."""


@dataclass
class HandoutData:
    commune: str
    village: str
    head: str
    code: str
    printed_on: dt.date
    people: list[HandoutPerson]
    team: list[str] = field(default_factory=list)
    language_note: str = ""
    surveyed_on: dt.date | None = None


def render(data: HandoutData) -> bytes:
    s = pdf.styles(8.5)
    width = pdf.frame_width()
    story: list = [
        pdf.para(_("What your family can do with digital services"), s["title"]),
        pdf.para(_("Household of {head} · {village} · {commune} · code {code}").format(
            head=data.head, village=data.village, commune=data.commune, code=data.code),
            s["subtitle"]),
        pdf.para(_("Printed on {date} by the community digital technology team.").format(
            date=pdf.day(data.printed_on)) + (" " + _(
                "From the survey of {date}.").format(date=pdf.day(data.surveyed_on))
            if data.surveyed_on else ""), s["small"]),
    ]
    if data.language_note:
        story.append(pdf.para(data.language_note, s["small"]))
    story.append(Spacer(1, 3 * mm))
    cell = s["cell"]
    rows = [[pdf.para(_("Person"), s["head"]), pdf.para(_("Can already do"), s["head"]),
             pdf.para(_("Next steps"), s["head"])]]
    for person in data.people:
        age = _("{age} years").format(age=person.age) if person.age is not None else ""
        who = pdf.text(person.name) + (f"<br/>{pdf.text(age)}" if age else "")
        can = "<br/>".join("✓ " + label.markup(6) for label in person.can)
        if person.with_help:
            can += ("<br/>" if can else "") + "<br/>".join(
                "◑ " + label.markup(6) + " " + pdf.text(_("(with help)"))
                for label in person.with_help)
        steps = "<br/>".join(f"→ {label.markup(6)}<br/>&nbsp;&nbsp;&nbsp;"
                             f'<font size="7">{pdf.text(where)}</font>'
                             for where, label in person.next_steps)
        rows.append([Paragraph(who, cell), Paragraph(can or "—", cell),
                     Paragraph(steps or "—", cell)])
    if len(rows) == 1:
        rows.append([pdf.para(_("No survey answers yet for this household."), cell), "", ""])
    story.append(pdf.grid(rows, [width * 0.22, width * 0.36, width * 0.42]))
    story.append(Spacer(1, 4 * mm))
    if data.team:
        story.append(pdf.para(_("Ask the community digital technology team of {village}: "
                                "{names}.").format(village=data.village,
                                                   names=", ".join(data.team)), s["body"]))
        story.append(Spacer(1, 2 * mm))
    story.append(pdf.grid([[Paragraph("<b>" + pdf.text(_(
        "Never give your password, OTP code or VNeID login to anyone, even to someone who "
        "says they are from the police, a bank or the commune. The team will never ask for "
        "them.")) + "</b>", s["body"])]], [width], header_rows=0, zebra=False,
        extra=[("BOX", (0, 0), (-1, -1), 1.2, pdf.colors.black),
               ("BACKGROUND", (0, 0), (-1, -1), pdf.LIGHT)]))
    title = _("Household handout – {code}").format(code=data.code)
    return pdf.build(story, title=title, subject=_("Citizen handout"), footer=title)
