"""Every mark a paper document prints, explained: the legend of the paper questionnaire and the
notes under a progress sheet's or a handout's labels.

A document lists the marks it can print; the label-pack marks (fieldapp.reports.pdf: ° a draft
no native speaker reviewed, ‡ the parent pack's text shown for a pack that has none, ↩ no text
in the pack, printed in Vietnamese) name the languages concerned ("‡ Tày — chưa có bản tiếng
Nùng").
"""

from __future__ import annotations

from collections.abc import Iterable

from reportlab.platypus import Paragraph, Spacer, Table

from fieldapp.i18n.catalog import _
from fieldapp.i18n.pack_languages import pack_language_name, parent_pack
from fieldapp.reports import pdf

BOX, TICKED, DIGIT_BOX = "☐", "☒", "□"


def pack_marks(language: str | None, labels: Iterable[pdf.Label] | None = None
               ) -> list[tuple[str, str]]:
    """(mark, meaning) of the label-pack marks: those ``labels`` carry, or all three when
    ``labels`` is None (a document that does not know yet which it prints)."""
    if not language or language == "vi":
        return []
    labels = list(labels) if labels is not None else None
    name = pack_language_name(language)
    parent = parent_pack(language)
    out = []
    if labels is None or any(label.inherited for label in labels):
        if parent:
            out.append((pdf.INHERITED, _("{parent} — no {language} text yet: the {parent} "
                                         "text is printed.").format(
                parent=pack_language_name(parent), language=name)))
    if labels is None or any(label.unreviewed for label in labels):
        out.append((pdf.UNREVIEWED, _("A draft in {language} that no native speaker has "
                                      "reviewed yet: read it with care.").format(
            language=name)))
    if labels is None or any(label.fell_back for label in labels):
        out.append((pdf.FALLBACK, _("No {language} text yet: printed in Vietnamese.").format(
            language=name)))
    return out


def questionnaire_marks(language: str | None) -> list[tuple[str, str]]:
    """Every mark the paper questionnaire prints, with its meaning."""
    return [
        (BOX, _("Tick one box for each question, or several where the question says so.")),
        (TICKED, _("A ticked box.")),
        (DIGIT_BOX * 4, _("Write a number, one digit in each box.")),
        ("." * 12, _("Write the answer on the dotted line.")),
        (_("→ question N"), _("Go straight to question N.")),
        (_("Ask only if …"), _("Skip the question when this is not so.")),
        ("…", _("In a question: say the person's name.")),
        *pack_marks(language),
    ]


def legend(rows: list[tuple[str, str]], styles: dict, width: float) -> list:
    """A two-column table "mark | meaning" under the heading "Marks on this paper"."""
    body = [[Paragraph(f"<b>{pdf.text(mark)}</b>", styles["small"]),
             Paragraph(pdf.text(meaning), styles["small"])] for mark, meaning in rows]
    table = Table(body, colWidths=[28 * pdf.mm, width - 28 * pdf.mm], hAlign="LEFT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    return [Paragraph(pdf.text(_("Marks on this paper")), styles["head"]), table,
            Spacer(1, 1.5 * pdf.mm)]


def notes(language: str | None, labels: Iterable[pdf.Label]) -> list[str]:
    """"° …" lines for the pack marks among ``labels`` (progress sheets, handouts)."""
    return [f"{mark} {meaning}" for mark, meaning in pack_marks(language, labels)]
