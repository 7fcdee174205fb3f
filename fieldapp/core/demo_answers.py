"""What the demo commune's people would answer in the household survey, in the survey's own codes.

Each person and household gets a *truth*: the answer to every question of the household survey
as if it were asked, drawn with the rates of :data:`fieldapp.core.demo_data.RATES` (DOMAIN.md
section 1 and 7), lower in remote villages, for highland groups and for older people. Which of
these answers are actually given is not decided here: the survey's own relevance decides that
when the demo passes the truth through the forms engine (fieldapp.services.demo_rounds), so no
round holds an answer the form would not ask (no chip ID card for a child, no e-payment
question for someone without a smartphone, a module's questions only in that module's year).

Pure: a seeded ``random.Random`` in, dicts out.
"""

from __future__ import annotations

import random
from typing import Any

from fieldapp.core import demo_data as dd

PROCEDURES = {"residence": 30, "birth_registration": 18, "insurance": 16, "land": 12,
              "judicial_record": 8, "marital_status": 8, "social_allowance": 5,
              "driving_licence": 2, "business_registration": 1}
CDS_FEATURES = {"feedback": 30, "dvc": 40, "land_lookup": 15, "isee": 15}
CHANNELS = {"zalo": 0.7, "facebook": 0.6, "tiktok": 0.25, "shopee": 0.15, "voso": 0.08,
            "postmart": 0.05}


def _yes(rng: random.Random, p: float) -> str:
    return "yes" if rng.random() < p else "no"


def _yes_dk(rng: random.Random, p: float, dk: float = dd.RATES["dont_know"]) -> str:
    r = rng.random()
    if r < dk:
        return "dont_know"
    return "yes" if rng.random() < p else "no"


def _pick(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(tuple(table), weights=tuple(table.values()))[0]


def _some(rng: random.Random, table: dict[str, float], low: int, high: int) -> str:
    """``low``..``high`` distinct codes by weight, space-separated in the table's order."""
    wanted = rng.randint(low, high)
    chosen: set[str] = set()
    codes = list(table)
    while len(chosen) < min(wanted, len(codes)):
        chosen.add(_pick(rng, {c: w for c, w in table.items() if c not in chosen}))
    return " ".join(c for c in codes if c in chosen)


def person_truth(rng: random.Random, age: int, remote: bool, ethnicity: str) -> dict[str, str]:
    """The answers one person would give to every person question of the survey."""
    rates = dd.RATES
    place = dd.place_factor(remote, ethnicity)
    f = place * dd.age_factor(age)
    if age < 6:
        phone_p = 0.0
    elif age < 10:
        phone_p = 0.25 * f
    elif age < 15:
        phone_p = 0.7 * f
    else:
        phone_p = rates["smartphone"] * f
    if rng.random() < phone_p:
        own_p = rates["smartphone_own"] if age >= 15 else 0.3
        smartphone = "own" if rng.random() < own_p else "shared"
    else:
        smartphone = "none"
    online = smartphone != "none"
    if 18 <= age < 50 and rng.random() < rates["absent_working_age"]:
        answered_by = "absent"
    elif age >= 70 or age < 18:
        answered_by = "proxy" if rng.random() < rates["proxy_old"] else "self"
    else:
        answered_by = "proxy" if rng.random() < rates["proxy"] else "self"
    dk = rates["dont_know"] * (2 if answered_by == "proxy" else 0.5)
    internet_p = {"own": rates["internet_own"], "shared": rates["internet_shared"]}.get(
        smartphone, 0.05)
    internet = _yes_dk(rng, internet_p, dk / 2)
    uses = online and internet == "yes"
    adult = age >= dd.ADULT_AGE
    truth = {"answered_by": answered_by, "smartphone": smartphone, "internet_use": internet}
    if age >= dd.CCCD_AGE and rng.random() < rates["cccd_adult"]:
        level2 = rates["vneid"]["level2"] * place * (1.0 if online else 0.3)
        r = rng.random()
        truth["id_status"] = ("level2" if r < level2 else "level1"
                              if r < level2 + rates["vneid"]["level1"] else "cccd_only")
    else:
        truth["id_status"] = "no_cccd"
    if rng.random() < dk:
        truth["id_status"] = "dont_know"
    if adult and uses and rng.random() < rates["dvc"] * place:
        alone_p = rates["dvc_alone"] * dd.age_factor(age) * (dd.REMOTE_FACTOR if remote else 1)
        truth["dvc_use"] = "alone" if rng.random() < alone_p else "with_help"
        truth["dvc_procedures"] = _some(rng, PROCEDURES, 1, 2)
        truth["dvc_satisfaction"] = _pick(rng, rates["dvc_satisfaction"])
    elif adult and rng.random() < rates["dvc_via_office"] * place:
        # Filed for them by a relative or at the commune office (DOMAIN.md §9).
        truth["dvc_use"] = "with_help"
        truth["dvc_procedures"] = _some(rng, PROCEDURES, 1, 1)
        truth["dvc_satisfaction"] = _pick(rng, rates["dvc_satisfaction"])
    else:
        truth["dvc_use"] = "dont_know" if rng.random() < dk else "no"
    epay_p = (rates["epayment_adult"] * place if adult and uses
              else 0.3 * place if uses else 0.05)
    truth["epayment"] = _yes_dk(rng, epay_p, dk)
    sign_p = rates["digital_signature"] / rates["smartphone"] * place if adult and uses else 0.0
    truth["digital_signature"] = _yes_dk(rng, sign_p, dk * 1.5)
    truth["cds_installed"] = _yes_dk(rng, rates["cds_app"] * place if online else 0.0, dk * 1.5)
    if truth["cds_installed"] == "yes":
        truth["cds_features"] = ("none" if rng.random() < 0.2
                                 else _some(rng, CDS_FEATURES, 1, 2))
    truth["chatbot_used"] = _yes_dk(rng, rates["chatbot"] * place if uses else 0.0, dk * 1.5)
    seen_p = rates["ehealth_seen"] if truth["id_status"] == "level2" and uses else 0.03
    truth["ehealth_record"] = _yes_dk(rng, seen_p, dk * 2)
    r = rng.random()
    aware = rates["scam_aware"] * f
    truth["scam_awareness"] = "yes" if r < aware else "unsure" if r < aware + 0.25 else "no"
    truth["bhvs_training"] = _yes_dk(rng, rates["trained"] * (1.2 if remote else 1.0), dk)
    return truth


def household_truth(rng: random.Random, remote: bool, ethnicity: str, poor_status: str,
                    people: list[tuple[int, dict[str, str]]]) -> dict[str, str]:
    """The answers to the household questions; ``people`` holds (age, person truth)."""
    rates = dd.RATES
    f = dd.place_factor(remote, ethnicity)
    power = _yes(rng, dd.REMOTE_GRID_POWER if remote else rates["grid_power"])
    signal = _pick(rng, dd.REMOTE_SIGNAL if remote else rates["signal"])
    if rng.random() < rates["dont_know"] / 2:
        signal = "dont_know"
    fibre_p = (dd.REMOTE_FIBRE if remote else rates["fibre"]) * (0.7 if poor_status == "poor"
                                                                  else 1)
    any_phone = any(p["smartphone"] != "none" for _, p in people)
    truth: dict[str, str] = {
        "grid_power": power, "mobile_signal": signal,
        "fibre": _yes(rng, fibre_p) if power == "yes" else "no",
        "poverty_status": poor_status,
        "digital_address": _yes_dk(rng, rates["digital_address"] * f, 0.10),
        "sells_online": _yes(rng, rates["sells_online"] * f) if any_phone else "no",
        "has_shop": _yes(rng, rates["has_shop"] * f),
    }
    if any(p["smartphone"] == "own" and age >= 18 for age, p in people) \
            and rng.random() < rates["phone_given"]:
        truth["phone"] = dd.draw_phone(rng)
    if truth["sells_online"] == "yes":
        chosen = [c for c, p in CHANNELS.items() if rng.random() < p]
        truth["online_channels"] = " ".join(chosen or ["zalo"])
    if truth["has_shop"] == "yes":
        truth["qr_payment"] = _yes_dk(rng, rates["qr_payment_shop"] * f)
        truth["tax_app"] = _yes_dk(rng, rates["tax_app"], 0.03)
        truth["e_invoice"] = _yes_dk(rng, rates["e_invoice"], 0.10)
    bills = []
    if any(p["epayment"] == "yes" for _, p in people):
        school = any(6 <= age <= 18 for age, _ in people)
        for bill, p in rates["cashless"].items():
            if (bill != "school" or school) and rng.random() < p * f:
                bills.append(bill)
    truth["cashless_bills"] = " ".join(bills) or "none"
    truth["barriers"] = _barriers(rng, remote, ethnicity, poor_status, power, signal, people)
    return truth


def _barriers(rng: random.Random, remote: bool, ethnicity: str, poor_status: str, power: str,
              signal: str, people: list[tuple[int, dict[str, str]]]) -> str:
    barriers = []
    if not any(p["smartphone"] != "none" for _, p in people):
        barriers.append("no_device")
    if power == "no":
        barriers.append("no_power")
    if signal in ("none", "weak") and rng.random() < (0.9 if signal == "none" else 0.4):
        barriers.append("no_signal")
    if rng.random() < (0.35 if poor_status != "neither" else 0.12):
        barriers.append("data_cost")
    elders = [age for age, _ in people if age >= 60]
    if elders and ethnicity != "kinh" and rng.random() < (0.35 if remote else 0.12):
        barriers.append("cannot_read")
    if elders and ethnicity in dd.HIGHLAND_ETHNICITIES and rng.random() < 0.4:
        barriers.append("no_vietnamese")
    if not any(p["epayment"] == "yes" for _, p in people) and rng.random() < 0.6:
        barriers.append("prefers_cash")
    if rng.random() < 0.06:
        barriers.append("not_interested")
    return " ".join(barriers) or "none"


# The questions the survey asks once about everyone (select_multiple over the roster): which
# person truth answers each, what counts as "chosen" and the questions asked only of the people
# who use a smartphone.
ROSTER_QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "internet_who": ("internet_use", ("yes",)),
    "vneid_who": ("id_status", ("level2",)),
    "epay_who": ("epayment", ("yes",)),
    "dvc_self_who": ("dvc_use", ("alone",)),
    "dvc_helped_who": ("dvc_use", ("with_help",)),
    "scam_who": ("scam_awareness", ("yes",)),
    "bhvs_who": ("bhvs_training", ("yes",)),
    "cccd_who": ("id_status", ("cccd_only", "level1", "level2")),
    "sign_who": ("digital_signature", ("yes",)),
    "cds_who": ("cds_installed", ("yes",)),
    "chatbot_who": ("chatbot_used", ("yes",)),
    "ehealth_who": ("ehealth_record", ("yes",)),
}
PHONE_ONLY = frozenset({"cds_who", "chatbot_who", "ehealth_who"})


def _who(numbers: list[int], flags: list[str] = ()) -> str:
    return " ".join([str(n) for n in numbers] + list(flags)) or "nobody"


def roster_answers(rng: random.Random, people: list[tuple[int, bool, dict[str, str]]]
                   ) -> dict[str, str]:
    """The answers to the questions about everyone, from each person's truth. ``people``
    holds (age at the round, still living in the house, truth) in the roster's order; a
    person's number is their place in it. Only people of 15 and over still in the house are
    chosen; a "don't know" of anyone makes the question's answer "don't know" for everyone
    not chosen, and now and then a household declines a question."""
    adults = [(n, t) for n, (age, present, t) in enumerate(people, start=1)
              if present and age >= 15]
    if not adults:
        return {}
    out = {"absent_who": _who([n for n, t in adults if t["answered_by"] == "absent"])}
    asked = [(n, t) for n, t in adults if t["answered_by"] != "absent"]
    if not asked:
        return out
    out["self_who"] = _who([n for n, t in asked if t["answered_by"] == "self"])
    out["phone_own_who"] = _who([n for n, t in asked if t["smartphone"] == "own"])
    out["phone_shared_who"] = _who([n for n, t in asked if t["smartphone"] == "shared"])
    phone = [(n, t) for n, t in asked if t["smartphone"] != "none"]
    for question, (name, chosen) in ROSTER_QUESTIONS.items():
        among = phone if question in PHONE_ONLY else asked
        if not among:
            continue
        if rng.random() < dd.RATES["refused"]:
            out[question] = "refused"
            continue
        numbers = [n for n, t in among if t.get(name) in chosen]
        unknown = question != "dvc_helped_who" and any(t.get(name) == "dont_know"
                                                        for _n, t in among)
        out[question] = _who(numbers, ["dont_know"] if unknown else [])
    users = [t for _n, t in asked if t.get("dvc_use") in ("alone", "with_help")]
    if users:
        chosen = {c for t in users for c in t.get("dvc_procedures", "residence").split()}
        out["dvc_procedures"] = " ".join(c for c in PROCEDURES if c in chosen)
        out["dvc_satisfaction"] = users[0].get("dvc_satisfaction", "satisfied")
    installed = [t for _n, t in phone if t.get("cds_installed") == "yes"]
    if installed:
        features = {c for t in installed for c in t.get("cds_features", "none").split()}
        if features - {"none"}:
            features.discard("none")
        out["cds_features"] = " ".join(c for c in (*CDS_FEATURES, "none") if c in features)
    return out


# What a support session's outcome changes in a person's answers (fieldapp.services.demo_rounds).
OUTCOME_EFFECTS: dict[str, dict[str, str]] = {
    "vneid_level2_activated": {"id_status": "level2"},
    "bank_app_installed": {"epayment": "yes"},
    "ewallet_opened": {"epayment": "yes"},
    "cds_xu_lang_installed": {"cds_installed": "yes"},
    "dvc_submitted": {"dvc_use": "with_help"},
    "digital_signature_issued": {"digital_signature": "yes"},
    "ehealth_record_viewed": {"ehealth_record": "yes"},
    "scam_guidance": {"scam_awareness": "yes"},
}


def apply_outcome(truth: dict[str, str], outcome: str) -> None:
    """A person helped to an outcome answers accordingly in the next round."""
    for name, value in OUTCOME_EFFECTS.get(outcome, {}).items():
        truth[name] = value
    if truth.get("dvc_use") in ("alone", "with_help") and "dvc_procedures" not in truth:
        truth["dvc_procedures"] = "residence"
        truth["dvc_satisfaction"] = "satisfied"
    if truth.get("cds_installed") == "yes" and "cds_features" not in truth:
        truth["cds_features"] = "dvc"


def a_year_later(rng: random.Random, age: int, truth: dict[str, str]) -> dict[str, str]:
    """A person's answers a year on: some progress in everything the teams work on."""
    p = dd.RATES["progress"]
    out = dict(truth)
    if out["id_status"] in ("cccd_only", "level1") and rng.random() < p["id_level2"]:
        out["id_status"] = "level2"
    if out["smartphone"] == "none" and 15 <= age < 70 and rng.random() < p["smartphone"]:
        out["smartphone"] = "shared"
        out["internet_use"] = "yes"
    online = out["smartphone"] != "none"
    if online and out["epayment"] == "no" and age >= 18 and rng.random() < p["epayment"]:
        out["epayment"] = "yes"
    if online and out["dvc_use"] == "no" and age >= 18 and rng.random() < p["dvc"]:
        apply_outcome(out, "dvc_submitted")
    if online and out["cds_installed"] == "no" and rng.random() < p["cds"]:
        apply_outcome(out, "cds_xu_lang_installed")
    if out["bhvs_training"] == "no" and age >= 15 and rng.random() < p["trained"]:
        out["bhvs_training"] = "yes"
    if out["scam_awareness"] == "unsure" and rng.random() < p["scam"]:
        out["scam_awareness"] = "yes"
    return out


def household_a_year_later(rng: random.Random, truth: dict[str, str]) -> dict[str, str]:
    p = dd.RATES["progress"]
    out = dict(truth)
    if out["fibre"] == "no" and out["grid_power"] == "yes" and rng.random() < p["fibre"]:
        out["fibre"] = "yes"
    if out["digital_address"] != "yes" and rng.random() < p["digital_address"]:
        out["digital_address"] = "yes"
    if out["sells_online"] == "no" and rng.random() < p["sells_online"]:
        out["sells_online"] = "yes"
        out["online_channels"] = "zalo"
    return out


def visit_outcome(rng: random.Random) -> str:
    """How a second-round visit ends: a value of the survey's ``consent`` (contact) list."""
    return _pick(rng, dd.RATES["visit"])


def as_answers(truth: dict[str, Any]) -> dict[str, str]:
    """The truth as answer values (every value a string)."""
    return {k: str(v) for k, v in truth.items() if v not in (None, "")}
