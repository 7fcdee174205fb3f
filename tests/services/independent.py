"""A second computation of the commune report's figures, written apart from the app's: plain
Python over the JSON lines of ``fieldapp dump`` (run as a command), the indicator definitions
written out here from DOMAIN.md §1 and §9 rather than read from forms/indicators.toml.

Rules (as a statistician states them):
- a period is a year, half-year or quarter of dates in Vietnam (UTC+7); each household counts
  with its latest round of the household survey finalized in the period whose interview was
  completed or partly completed; a merged household's rounds count for its survivor; rounds
  of a removed household do not count;
- a person is counted if still living in the household (not moved away, not died);
- of the population, a person whose answer is empty was not asked (unless the question was
  asked of everyone in that round: then the empty answer is "no answer"); "dont_know" is
  don't know; "refused" and "skipped" (and empty when asked) are refused or no answer; the rest
  is N, and n of them have the answer counted;
- a share over fewer than 5 is not printed.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ICT = dt.timezone(dt.timedelta(hours=7))
SMALL = 5
INTERVIEWED = {"completed", "partly"}


def dump(db: Path) -> dict[str, list[dict]]:
    """Every synced record of the database, by table, through the ``fieldapp dump`` command."""
    done = subprocess.run([sys.executable, "-m", "fieldapp", "dump", "--db", str(db)],
                          capture_output=True, text=True, check=True,
                          env={"FIELDAPP_LANG": "vi", "PATH": "/usr/bin:/bin"})
    tables: dict[str, list[dict]] = {}
    for line in done.stdout.splitlines():
        record = json.loads(line)
        tables.setdefault(record.pop("table"), []).append(record)
    return tables


def vietnam_day(stamp: str) -> dt.date:
    return dt.datetime.fromisoformat(stamp).astimezone(ICT).date()


def in_period(day: dt.date, key: str) -> bool:
    year = int(key[:4])
    if day.year != year:
        return False
    if len(key) == 4:
        return True
    number = int(key[-1])
    if key[5] == "H":
        return (day.month - 1) // 6 + 1 == number
    return (day.month - 1) // 3 + 1 == number


def previous_key(key: str) -> str:
    year = int(key[:4])
    if len(key) == 4:
        return str(year - 1)
    number, kind = int(key[-1]), key[5]
    if number > 1:
        return f"{year}-{kind}{number - 1}"
    return f"{year - 1}-{kind}{2 if kind == 'H' else 4}"


def chosen_rounds(tables, key: str, village: str | None = None) -> list[dict]:
    """Each household's latest interviewed round in the period (answers, with village)."""
    households = {h["id"]: h for h in tables.get("households", [])}
    latest: dict[str, tuple] = {}
    for s in tables.get("submissions", []):
        if s["form_id"] != "household_survey" or s["status"] != "final" or s["deleted"] \
                or not s["finalized_at"] or not s["household_id"]:
            continue
        answers = json.loads(s["answers"])
        if answers.get("interview_result") not in INTERVIEWED:
            continue
        if not in_period(vietnam_day(s["finalized_at"]), key):
            continue
        owner = households.get(s["household_id"])
        hid = s["household_id"]
        if owner is not None:
            if owner.get("merged_into"):
                hid = owner["merged_into"]
            elif owner["deleted"]:
                continue
        where = s["village_id"] or answers.get("village") or ""
        if village and where != village:
            continue
        have = latest.get(hid)
        if have is None or (s["finalized_at"], s["id"]) > have[0]:
            latest[hid] = ((s["finalized_at"], s["id"]), answers, where)
    return [{"answers": a, "village": v} for _k, a, v in latest.values()]


@dataclass
class Count:
    population: int = 0
    not_asked: int = 0
    dont_know: int = 0
    refused: int = 0
    n: int = 0

    @property
    def big_n(self) -> int:
        return self.population - self.not_asked - self.dont_know - self.refused

    def text(self) -> str:
        """As the report prints it: "65,6% (149/227)", "–" small, "—" nobody asked."""
        if self.big_n == 0:
            return "—"
        if self.big_n < SMALL:
            return "–"
        share = f"{self.n / self.big_n * 100:.1f}".replace(".", ",")
        return f"{share}% ({vn(self.n)}/{vn(self.big_n)})"


def vn(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _living(row: dict) -> bool:
    return row.get("member_status") not in ("moved", "died")


def _uses_phone(row: dict) -> bool:
    return row.get("smartphone") in ("own", "shared")


# Person indicators: (answer field, the answers counted, who is in the population).
PERSONS = {
    "smartphone": ("smartphone", {"own"}, None),
    "smartphone_access": ("smartphone", {"own", "shared"}, None),
    "internet_use": ("internet_use", {"yes"}, None),
    "vneid_level2": ("vneid_level2", {"yes"}, None),
    "epayment": ("epayment", {"yes"}, None),
    "dvc_use": ("dvc_use", {"alone", "with_help"}, None),
    "scam_awareness": ("scam_awareness", {"yes"}, None),
    "cccd": ("cccd", {"yes"}, None),
    "digital_signature": ("digital_signature", {"yes"}, None),
    "bhvs_training": ("bhvs_training", {"yes"}, None),
    "cds_app": ("cds_installed", {"yes"}, _uses_phone),
    "chatbot": ("chatbot_used", {"yes"}, _uses_phone),
    "ehealth": ("ehealth_record", {"yes"}, _uses_phone),
}
# Household indicators: (answer field, counted answers, part of the round that asks it (None:
# every round), who is in the population).
HOUSEHOLDS = {
    "mobile_signal": ("mobile_signal", {"mobile_4g", "mobile_5g"}, None, None),
    "fibre": ("fibre", {"yes"}, None, None),
    "grid_power": ("grid_power", {"yes"}, None, None),
    "sells_online": ("sells_online", {"yes"}, "2", None),
    "digital_address": ("digital_address", {"yes"}, "0", None),
    "qr_payment": ("qr_payment", {"yes"}, "2", lambda a: a.get("has_shop") == "yes"),
    "tax_app": ("tax_app", {"yes"}, "2", lambda a: a.get("has_shop") == "yes"),
    "e_invoice": ("e_invoice", {"yes"}, "2", lambda a: a.get("has_shop") == "yes"),
    "dvc_satisfied": ("dvc_satisfaction", {"satisfied", "very_satisfied"}, "1",
                      lambda a: int(a.get("dvc_users") or 0) > 0),
}
KEY = ("smartphone", "smartphone_access", "internet_use", "vneid_level2", "epayment",
       "dvc_use", "scam_awareness", "mobile_signal", "fibre")


def _classify(count: Count, value: str, counted: set[str], asked: bool) -> None:
    count.population += 1
    if not value and not asked:
        count.not_asked += 1
    elif value == "dont_know":
        count.dont_know += 1
    elif value in ("refused", "skipped", ""):
        count.refused += 1
    elif value in counted:
        count.n += 1


def person_count(rounds, indicator: str, village: str | None = None, sex: str | None = None,
                 ethnicity: str | None = None) -> Count:
    field, counted, population = PERSONS[indicator]
    count = Count()
    for r in rounds:
        if village is not None and r["village"] != village:
            continue
        for row in r["answers"].get("members", []):
            if not _living(row) or int(row.get("age") or 0) < 15:
                continue
            if population is not None and not population(row):
                continue
            if (sex and row.get("sex") != sex) or (ethnicity and row.get("ethnicity") !=
                                                   ethnicity):
                continue
            _classify(count, row.get(field, ""), counted, asked=False)
    return count


def household_count(rounds, indicator: str, village: str | None = None) -> Count:
    field, counted, part, population = HOUSEHOLDS[indicator]
    count = Count()
    for r in rounds:
        answers = r["answers"]
        if village is not None and r["village"] != village:
            continue
        if population is not None and not population(answers):
            continue
        asked = part is None or answers.get("module") == part
        if not asked:
            count.population += 1
            count.not_asked += 1
            continue
        _classify(count, answers.get(field, ""), counted, asked=True)
    return count


def cashless(rounds, electricity: bool, village: str | None = None) -> Count:
    """Households paying a bill (any bill, or electricity among households with grid power)
    without cash; asked in part C."""
    result = Count()
    for r in rounds:
        a = r["answers"]
        if village is not None and r["village"] != village:
            continue
        if electricity and a.get("grid_power") != "yes":
            continue
        if a.get("module") != "2":
            result.population += 1
            result.not_asked += 1
            continue
        bills = (a.get("cashless_bills") or "").split()
        paid = "electricity" in bills if electricity else bool(set(bills) - {"none"})
        value = ("dont_know" if "dont_know" in bills else "refused" if "refused" in bills
                 or not bills else "yes" if paid else "no")
        _classify(result, value, {"yes"}, asked=True)
    return result


def count(rounds, indicator: str, village: str | None = None) -> Count:
    if indicator in PERSONS:
        return person_count(rounds, indicator, village)
    if indicator in ("cashless_electricity", "cashless_bills"):
        return cashless(rounds, indicator == "cashless_electricity", village)
    return household_count(rounds, indicator, village)


def sessions(tables, key: str) -> dict:
    """Support sessions of the period: sessions, person entries, household-only entries and
    outcomes of both."""
    live = {s["id"]: s for s in tables.get("sessions", [])
            if not s["deleted"] and in_period(dt.date.fromisoformat(s["date"]), key)}
    persons = households = 0
    outcomes: dict[str, int] = {}
    for p in tables.get("session_persons", []):
        if p["deleted"] or p["session_id"] not in live:
            continue
        if p["person_id"]:
            persons += 1
        elif p["household_id"]:
            households += 1
        else:
            continue
        for code in (p["outcomes"] or "").split():
            outcomes[code] = outcomes.get(code, 0) + 1
    return {"sessions": len(live), "persons": persons, "households": households,
            "outcomes": outcomes}


def registry_households(tables, village: str | None = None) -> int:
    return sum(1 for h in tables.get("households", [])
               if not h["deleted"] and (village is None or h["village_id"] == village))


def barrier(rounds, code: str) -> Count:
    """Households naming a barrier (asked of every household interviewed)."""
    result = Count()
    for r in rounds:
        named = (r["answers"].get("barriers") or "").split()
        value = "refused" if not named or "refused" in named else \
            "yes" if code in named else "no"
        _classify(result, value, {"yes"}, asked=True)
    return result


BARRIERS = ("no_device", "no_power", "no_signal", "data_cost", "cannot_read", "no_vietnamese",
            "prefers_cash", "not_interested", "none")
EVERY = tuple(PERSONS) + tuple(HOUSEHOLDS) + ("cashless_electricity", "cashless_bills")
