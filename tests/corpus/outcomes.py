"""Classify how each form of the public corpus fares: loads, refused on purpose (which
feature), or fails; shared by the regression test and ``python -m`` to regenerate the table."""

from __future__ import annotations

import csv
import logging
import warnings
from pathlib import Path

from fieldapp.core.forms import Form
from fieldapp.core.forms.types import REFUSED
from fieldapp.services.forms import discover_forms

CORPUS = Path(__file__).parent
EXPECTED = CORPUS / "expected.csv"
FOLDERS = ["pyxform/example_xls", "pyxform/bug_example_xls", "hotosm", "kobocat"]

# Problems that mean "refused on purpose", by the msgid that starts the message.
_REFUSED = {msgid: f"refused: {feature}" for feature, msgid in REFUSED.items()}
_ON_PURPOSE = {
    "the form needs the file {file}": "refused: a data file the form needs is not shipped",
    "syntax error at character": "refused: an invalid expression (ODK Validate refuses it too)",
}


def classify(problems) -> str:
    kinds = []
    for p in problems:
        msgid = getattr(p.detail, "msgid", str(p.detail))
        values = getattr(p.detail, "values", {})
        reason = values.get("reason")
        if msgid.startswith("'{type}' is refused") and reason is not None:
            kinds.append(_REFUSED.get(reason.msgid, "refused"))
            continue
        kinds.append(next((v for k, v in _ON_PURPOSE.items() if msgid.startswith(k)),
                          f"fails: {msgid}"))
    fails = [k for k in kinds if k.startswith("fails")]
    return fails[0] if fails else sorted(set(kinds))[0]


def pyxform_converts(path: Path) -> bool:
    from pyxform.xls2json import parse_file_to_json

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parse_file_to_json(str(path), warnings=[])
        except Exception:  # noqa: BLE001 - pyxform's verdict is all that is wanted
            return False
    return True


def outcomes(*, pyxform: bool = True) -> dict[str, tuple[str, bool]]:
    """{path relative to the corpus: (outcome, pyxform converts it)}; without ``pyxform``
    the second item is None (pyxform's verdict is slow to get and stored in the table)."""
    logging.disable(logging.WARNING)
    try:
        found = {}
        for folder in FOLDERS:
            for path, result in discover_forms([CORPUS / folder]):
                outcome = "loads" if isinstance(result, Form) else classify(result)
                found[path.relative_to(CORPUS).as_posix()] = (
                    outcome, pyxform_converts(path) if pyxform else None)
        return found
    finally:
        logging.disable(logging.NOTSET)


def read_expected() -> dict[str, tuple[str, bool]]:
    with EXPECTED.open(encoding="utf-8", newline="") as f:
        return {r["form"]: (r["outcome"], r["pyxform"] == "converts") for r in csv.DictReader(f)}


def write_expected() -> None:
    rows = outcomes()
    with EXPECTED.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["form", "outcome", "pyxform"])
        for name, (outcome, converts) in sorted(rows.items()):
            writer.writerow([name, outcome, "converts" if converts else "refuses"])


if __name__ == "__main__":
    write_expected()
