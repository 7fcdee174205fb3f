"""A person's latest known status at a glance: five key indicators from their latest answers
and from what support sessions achieved since.

The household survey gives, per member, the smartphone, e-payment, the VNeID e-ID, online
public services (DVC) and scam awareness (DOMAIN.md §1, indicators 1, 5, 9, 10, 19); rounds
made with earlier questionnaires give them under older codes (``id_status``). Registries
imported or generated without a survey keep the same facts as person properties under their
own codes. A support session's outcome after the person's latest round ("VNeID level 2
activated") is newer than any answer. :func:`person_glance` reads all three and says, per
indicator, "yes", "partly", "no" or nothing known, which the household page shows as icons.

This is a person's status for the team's work, never a survey estimate: the commune's
figures come from the survey alone (fieldapp.services.indicators).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import dataclasses
from dataclasses import dataclass
from typing import Any

from fieldapp.i18n.catalog import N_, pgettext_noop

YES, PARTLY, NO = "yes", "partly", "no"
SHORT = "indicator column"
"""Context of the indicators' column headers (translate with pgettext(SHORT, short))."""


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    """Label (N_-marked; translate when shown)."""
    short: str
    """A column header's few letters (pgettext_noop-marked in context :data:`SHORT`)."""
    answer: str
    """The question of the household survey's roster that answers it."""
    answer_levels: Mapping[str, str]
    prop: str
    """The person property holding the same fact in registries without a survey."""
    prop_levels: Mapping[str, str]
    older: tuple[tuple[str, Mapping[str, str]], ...] = ()
    """(answer, levels) of rounds made with earlier questionnaires."""
    outcomes: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Support-session outcome -> level it shows."""


INDICATORS: tuple[Indicator, ...] = (
    Indicator("smartphone", N_("Smartphone"), pgettext_noop("indicator column", "Phone"),
              "smartphone", {"own": YES, "shared": PARTLY, "none": NO},
              "smartphone", {"own": YES, "shared": PARTLY, "none": NO}),
    Indicator("epayment", N_("E-payment"), pgettext_noop("indicator column", "Pay"), "epayment",
              {"yes": YES, "no": NO}, "epayment", {"yes": YES, "no": NO},
              outcomes={"bank_app_installed": YES, "ewallet_opened": YES}),
    Indicator("vneid", N_("VNeID level 2"), pgettext_noop("indicator column", "VNeID"),
              "vneid_level2", {"yes": YES, "no": NO},
              "vneid", {"level2": YES, "level1": PARTLY, "none": NO},
              older=(("id_status", {"level2": YES, "level1": PARTLY, "cccd_only": NO,
                                    "no_cccd": NO}),),
              outcomes={"vneid_level2_activated": YES}),
    Indicator("dvc", N_("Online public services"), pgettext_noop("indicator column", "DVC"),
              "dvc_use", {"alone": YES, "with_help": PARTLY, "no": NO},
              "dvc", {"alone": YES, "with_help": PARTLY, "no": NO},
              outcomes={"dvc_submitted": PARTLY}),
    Indicator("scam", N_("Scam awareness"), pgettext_noop("indicator column", "Scams"),
              "scam_awareness", {"yes": YES, "unsure": PARTLY, "no": NO},
              "scam_aware", {"yes": YES, "no": NO}),
)


_ORDER = {NO: 0, PARTLY: 1, YES: 2}


def person_glance(rounds: Iterable[Mapping[str, Any]],
                  properties: Mapping[str, Any] | None = None,
                  outcomes: Iterable[str] = ()) -> dict[str, str | None]:
    """{indicator key: "yes" | "partly" | "no" | None} for one person.

    ``rounds``: the person's roster rows (answers) of the finalized household surveys, newest
    first; the newest round that answered an indicator decides it ("don't know", refused and
    unanswered pass on to older rounds). ``properties``: registry properties, used for an
    indicator no round answered. ``outcomes``: support-session outcomes recorded for the
    person after their latest round; they raise a level, never lower it.
    """
    rounds = list(rounds)
    outcomes = set(outcomes)
    out: dict[str, str | None] = {}
    for indicator in INDICATORS:
        value = None
        for answers in rounds:
            for name, levels in ((indicator.answer, indicator.answer_levels),
                                 *indicator.older):
                value = levels.get(str(answers.get(name) or ""))
                if value is not None:
                    break
            if value is not None:
                break
        if value is None and properties:
            value = indicator.prop_levels.get(str(properties.get(indicator.prop) or ""))
        for outcome, level in indicator.outcomes.items():
            if outcome in outcomes and (value is None or _ORDER[level] > _ORDER[value]):
                value = level
        out[indicator.key] = value
    return out


def roster_rows(answers: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The roster rows of household survey answers (every repeat of dicts at the top)."""
    rows: list[Mapping[str, Any]] = []
    for value in answers.values():
        if isinstance(value, list):
            rows.extend(r for r in value if isinstance(r, Mapping))
        elif isinstance(value, Mapping):
            rows.extend(roster_rows(value))
    return rows
