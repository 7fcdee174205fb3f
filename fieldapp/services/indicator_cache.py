"""Keeping the commune's indicator sums up to date (fieldapp.storage.indicator_sums).

The database marks every household and survey submission that changed (triggers of m055);
:func:`refresh` recomputes only those: for a household, the round it counts with in each fixed
period (year, half-year, quarter) and that round's facts (fieldapp.core.tabulation), taking
its old facts out of the sums of their period and village and adding the new ones; for a
submission, its visit (day, village, interview result). A merge moves the rounds of the
merged household to its survivor; an erased or removed household's rounds leave the sums.

When the indicator files change (their digest), every sum is dropped and counted again: the
one time a report reads every round. Work is done in batches, each its own transaction, so
a cancel keeps what was done and the next report goes on from there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from fieldapp.core.indicators import IndicatorSet
from fieldapp.core.periods import period_keys, vietnam_day
from fieldapp.core.tabulation import CASES, Counter, FactsCodec, add_facts
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.storage.store import Store

FACTS_VERSION = "2"
"""Part of the digest: raise it when the facts' layout changes."""
BATCH = 2000
"""Households per transaction: a commune's sums are rewritten once per batch."""
INTERVIEWED = ("completed", "partly")
"""The interview results whose answers count."""


class ReportCancelled(UserError):
    """The user cancelled making a report or an export; nothing was written."""


def refresh(store: Store, indicators: IndicatorSet, *, today: dt.date | None = None,
            progress: Callable[[int, int], None] = lambda d, t: None,
            cancelled: Callable[[], bool] = lambda: False) -> int:
    """Bring the sums up to date; returns how many households and submissions were
    recomputed. Raises ReportCancelled when ``cancelled()`` turns true (what was done is
    kept)."""
    sums = store.indicator_sums
    digest = f"{FACTS_VERSION}:{indicators.digest or 'unnamed'}"
    if sums.digest() != digest:
        with store.transaction():
            sums.reset(digest)
    total = sums.pending()
    if not total:
        return 0
    counter = Counter(indicators, today or dt.date.today())
    codec = FactsCodec(indicators)
    done = 0
    while batch := sums.dirty_households(BATCH):
        if cancelled():
            raise ReportCancelled(_("Cancelled."))
        with store.transaction():
            _households(store, counter, codec, indicators.form_id, batch)
        done += len(batch)
        progress(done, total)
    while batch := sums.dirty_submissions(BATCH * 4):
        if cancelled():
            raise ReportCancelled(_("Cancelled."))
        with store.transaction():
            _visits(store, indicators.form_id, batch)
        done += len(batch)
        progress(min(done, total), total)
    return done


def _households(store: Store, counter: Counter, codec: FactsCodec, form_id: str,
                batch: list[str]) -> None:
    sums = store.indicator_sums
    known = sums.households(batch)
    recompute: set[str] = set()
    for hid in batch:
        deleted, merged = known.get(hid, (0, None))  # a round of an unknown household counts
        if merged:
            merged_state = sums.households([merged]).get(merged, (1, None))
            if not merged_state[0]:
                recompute.add(merged)
        elif not deleted:
            recompute.add(hid)
    touched = sorted(set(batch) | recompute)
    deltas: dict[tuple[str, str], dict] = {}
    old = sums.chosen(touched)
    kept = sums.facts(sorted({sid for *_rest, sid in old}))
    decoded: dict[str, dict] = {}
    for period, _hid, village, sid in old:
        if sid in kept:
            facts = decoded.get(sid) or decoded.setdefault(sid, codec.decode(kept[sid]))
            add_facts(deltas.setdefault((period, village), {}), facts, -1)
    # The latest interviewed round of each household in each period (ids break ties).
    latest: dict[tuple[str, str], tuple[str, str, str]] = {}
    for sid, hid, village, finalized, result in sums.rounds_of(form_id, sorted(recompute)):
        if hid not in recompute or result not in INTERVIEWED:
            continue
        for key in period_keys(vietnam_day(finalized)):
            have = latest.get((key, hid))
            if have is None or (finalized, sid) > (have[0], have[1]):
                latest[key, hid] = (finalized, sid, village or "")
    wanted = sorted({sid for _f, sid, _v in latest.values()})
    facts_of: dict[str, dict | None] = {}
    villages_of: dict[str, str] = {}
    for sid, text in store.submissions.answers_of(wanted):
        answers = json.loads(text)
        facts_of[sid] = counter.facts(answers)
        villages_of[sid] = answers.get("village") or ""
    rows, texts = [], {}
    for (period, hid), (_finalized, sid, village) in sorted(latest.items()):
        facts = facts_of.get(sid)
        if facts is None:
            continue  # a round without the household's consent counts nowhere
        village = village or villages_of.get(sid, "")
        rows.append((period, hid, sid, village))
        if sid not in texts:
            texts[sid] = codec.encode(facts)
        add_facts(deltas.setdefault((period, village), {}), facts)
    sums.replace_chosen(touched, rows, texts, {sid for *_rest, sid in old})
    current = sums.totals_of(list(deltas))
    updated: dict[tuple[str, str], dict | None] = {}
    for key, delta in deltas.items():
        total = add_facts(current.get(key, {}), delta)
        cases = total.get(CASES, [0, 0])
        updated[key] = total if (cases[0] or len(total) > 1) else None
    sums.put_totals(updated)
    sums.clean_households(batch)


def _visits(store: Store, form_id: str, batch: list[str]) -> None:
    rows = []
    for sid, form, status, deleted, village, finalized, result, answer_village in \
            store.indicator_sums.submissions_meta(batch):
        if form != form_id or status != "final" or deleted or not finalized:
            continue
        rows.append((sid, form, vietnam_day(finalized).isoformat(),
                     village or answer_village or "", result or "unknown"))
    store.indicator_sums.replace_visits(batch, rows)
