"""A person's digital situation at a glance: five key indicators from their latest answers.

The household survey asks, per member, about the smartphone, e-payment, the VNeID e-ID,
online public services (DVC) and scam awareness (DOMAIN.md §1, indicators 1, 5, 9, 10, 19);
the per-person modules rotate, so a person's latest answer to each may come from an earlier
round. Registries imported or generated without a survey (the demo commune) keep the same
facts as person properties under their own codes. :func:`person_glance` reads both and says,
per indicator, "yes", "partly", "no" or nothing known, which the household page shows as
icons and Home counts for its chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


INDICATORS: tuple[Indicator, ...] = (
    Indicator("smartphone", N_("Smartphone"), pgettext_noop("indicator column", "Phone"), "smartphone",
              {"own": YES, "shared": PARTLY, "none": NO},
              "smartphone", {"own": YES, "shared": PARTLY, "none": NO}),
    Indicator("epayment", N_("E-payment"), pgettext_noop("indicator column", "Pay"), "epayment",
              {"yes": YES, "no": NO}, "epayment", {"yes": YES, "no": NO}),
    Indicator("vneid", N_("VNeID level 2"), pgettext_noop("indicator column", "VNeID"), "id_status",
              {"level2": YES, "level1": PARTLY, "cccd_only": NO, "no_cccd": NO},
              "vneid", {"level2": YES, "level1": PARTLY, "none": NO}),
    Indicator("dvc", N_("Online public services"), pgettext_noop("indicator column", "DVC"), "dvc_use",
              {"alone": YES, "with_help": PARTLY, "no": NO},
              "dvc", {"alone": YES, "with_help": PARTLY, "no": NO}),
    Indicator("scam", N_("Scam awareness"), pgettext_noop("indicator column", "Scams"), "scam_awareness",
              {"yes": YES, "unsure": PARTLY, "no": NO},
              "scam_aware", {"yes": YES, "no": NO}),
)


def person_glance(rounds: Iterable[Mapping[str, Any]],
                  properties: Mapping[str, Any] | None = None) -> dict[str, str | None]:
    """{indicator key: "yes" | "partly" | "no" | None} for one person.

    ``rounds``: the person's roster rows (answers) of the finalized household surveys, newest
    first; the newest round that answered an indicator decides it ("don't know" and
    unanswered pass on to older rounds). ``properties``: registry properties, used for an
    indicator no round answered.
    """
    rounds = list(rounds)
    out: dict[str, str | None] = {}
    for indicator in INDICATORS:
        value = None
        for answers in rounds:
            level = indicator.answer_levels.get(str(answers.get(indicator.answer) or ""))
            if level is not None:
                value = level
                break
        if value is None and properties:
            value = indicator.prop_levels.get(str(properties.get(indicator.prop) or ""))
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
