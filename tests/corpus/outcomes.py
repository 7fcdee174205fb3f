"""Classify how each form of the public corpora fares: loads, refused fairly (naming why the
form cannot work as published in ODK Collect either), or fails; shared by the regression test
and ``python tests/corpus/outcomes.py`` to regenerate the table.

The forms are public files of other projects and are not committed here: they are looked for
in ``$FIELDAPP_CORPUS`` or in the steering repository's ``shared/corpus`` beside this checkout
(``../shared/corpus``), as ``wild1/`` and ``wild2/`` (see README.md). This folder keeps what
fieldapp made of them (expected.csv) and pyxform's verdict on each.
"""

from __future__ import annotations

import csv
import logging
import os
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fieldapp.core.forms import Form  # noqa: E402
from fieldapp.core.forms.types import REFUSED  # noqa: E402
from fieldapp.services.forms import discover_forms  # noqa: E402

EXPECTED = HERE / "expected.csv"
SETS = ("wild1", "wild2", "wild3")
NOT_FORMS = {"README.md"}

# JavaRosa's functions (XPathFuncExpr): an unknown function outside this list belongs to
# another platform (SurveyCTO, the CHT, ...); one inside it would be a gap of fieldapp's.
JAVAROSA_FUNCTIONS = frozenset((
    "abs acos area asin atan atan2 base64-decode boolean boolean-from-string checklist coalesce "
    "concat contains cos count count-non-empty count-selected date date-time decimal-date-time "
    "decimal-time depend digest distance enclosed-area ends-with exp exp10 extract-signed false "
    "format-date format-date-time geofence if indexed-repeat instance int is-selected join log "
    "log10 max min normalize-space not now number once pi position pow property random "
    "randomize regex round selected selected-at sin sqrt starts-with string string-length "
    "substr substring-after substring-before sum tan today translate true uuid version "
    "weighted-checklist jr:itext jr:choice-name pulldata current").split())

_FEATURES = {msgid: feature for feature, msgid in REFUSED.items()}
# Refusals that are fair: the form cannot work as published in ODK Collect either.
_FAIR = {
    "the form needs the file {file}": "a data file the publisher did not ship",
    "syntax error at character": "an error ODK rejects too: an invalid expression",
    "{name}() takes {arity}": "an error ODK rejects too: a function called with the wrong "
                              "number of arguments",
    "circular dependency": "an error ODK rejects too: a circular dependency",
    "'{name}' refers to itself": "an error ODK rejects too: a circular dependency",
    "instance('{name}') is not a choice list": "an error ODK rejects too: an instance the form "
                                               "does not declare",
    "regex() pattern '{pattern}' is not a valid": "an error ODK rejects too: an invalid pattern",
    "the survey sheet has no questions": "an empty form",
}


def corpus_root() -> Path | None:
    """The folder holding ``wild1/``, ``wild2/`` and ``javarosa/``, or None when there is none."""
    candidates = [os.environ.get("FIELDAPP_CORPUS", "")] + [
        str(base / "shared" / "corpus") for base in (ROOT.parent, ROOT.parent.parent)]
    for candidate in candidates:
        if candidate and any((Path(candidate) / s).is_dir() for s in SETS + ("javarosa",)):
            return Path(candidate)
    return None


def present_sets() -> list[str]:
    root = corpus_root()
    return [s for s in SETS if root is not None and (root / s).is_dir()]


def _kind(problem) -> str:
    msgid = getattr(problem.detail, "msgid", str(problem.detail))
    values = getattr(problem.detail, "values", {})
    reason = values.get("reason")
    if msgid.startswith("'{type}' is refused") and reason is not None:
        return f"refused: {_FEATURES.get(reason.msgid, 'a feature refused on purpose')}"
    if msgid.startswith("unknown function '{name}()'"):
        name = values.get("name", "")
        if name not in JAVAROSA_FUNCTIONS:
            return f"refused: a function of another platform ({name}())"
        return f"fails: {msgid}"
    for start, reason_text in _FAIR.items():
        if msgid.startswith(start):
            return f"refused: {reason_text}"
    return f"fails: {msgid}"


def classify(problems) -> str:
    """One outcome for a form that does not load: the first unfair problem ('fails: ...')
    if any, else its first fair reason ('refused: ...')."""
    kinds = [_kind(p) for p in problems]
    fails = [k for k in kinds if k.startswith("fails")]
    return fails[0] if fails else sorted(set(kinds))[0]


def pyxform_converts(path: Path) -> bool:
    """pyxform's verdict: the workbook converts to an XForm (xls2xform without ODK Validate)."""
    from pyxform.xls2xform import convert

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            convert(xlsform=str(path), validate=False, warnings=[])
        except Exception:  # noqa: BLE001 - pyxform's verdict is all that is wanted
            return False
    return True


def outcomes(sets: list[str] | None = None, *,
             pyxform: bool = True) -> dict[str, tuple[str, bool | None]]:
    """{path relative to the corpus: (outcome, pyxform converts it)} for ``sets`` (those
    present by default); without ``pyxform`` the second item is None (pyxform's verdict is
    slow to get and stored in the table)."""
    root = corpus_root()
    found: dict[str, tuple[str, bool | None]] = {}
    if root is None:
        return found
    logging.disable(logging.WARNING)
    try:
        for name in sets if sets is not None else present_sets():
            for path, result in discover_forms([root / name]):
                if path.name in NOT_FORMS:
                    continue
                outcome = "loads" if isinstance(result, Form) else classify(result)
                found[path.relative_to(root).as_posix()] = (
                    outcome, pyxform_converts(path) if pyxform else None)
        return found
    finally:
        logging.disable(logging.NOTSET)


def read_expected() -> dict[str, tuple[str, bool]]:
    with EXPECTED.open(encoding="utf-8", newline="") as f:
        return {r["form"]: (r["outcome"], r["pyxform"] == "converts") for r in csv.DictReader(f)}


def figures(rows: dict[str, tuple[str, bool]], corpus: str) -> dict[str, object]:
    """The load rate of one corpus: forms, pyxform-valid, loaded, fair refusals (by reason),
    unfair ones; ``rate`` is loaded / (pyxform-valid - fair refusals)."""
    mine = {k: v for k, v in rows.items() if k.startswith(corpus + "/")}
    valid = {k: o for k, (o, converts) in mine.items() if converts}
    loaded = sum(o == "loads" for o in valid.values())
    fair: dict[str, int] = {}
    for o in valid.values():
        if o.startswith("refused: "):
            fair[o] = fair.get(o, 0) + 1
    unfair = sorted(o for o in valid.values() if o.startswith("fails"))
    measured = len(valid) - sum(fair.values())
    return {"forms": len(mine), "pyxform_valid": len(valid), "loaded": loaded,
            "fair": fair, "unfair": unfair, "rate": loaded / measured if measured else 1.0}


def write_expected() -> None:
    rows = outcomes()
    present = present_sets()
    kept = {k: v for k, v in read_expected().items() if k.split("/")[0] in SETS
            and k.split("/")[0] not in present} if EXPECTED.exists() else {}
    kept.update(rows)
    with EXPECTED.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["form", "outcome", "pyxform"])
        for name, (outcome, converts) in sorted(kept.items()):
            writer.writerow([name, outcome, "converts" if converts else "refuses"])


if __name__ == "__main__":
    if not present_sets():
        raise SystemExit("the public forms are not here: see tests/corpus/README.md")
    write_expected()
    table = read_expected()
    for corpus in SETS:
        print(corpus, figures(table, corpus))
