"""Classify how each form of the public corpus fares: loads, refused on purpose (which
feature), or fails; shared by the regression test and ``python -m`` to regenerate the table.

The forms themselves are public files of other projects and are not committed here: they are
looked for in ``$FIELDAPP_CORPUS/xlsforms`` or in the steering repository's
``shared/corpus/xlsforms`` beside this checkout (see README.md). This folder keeps what fieldapp
made of them (expected.csv).
"""

from __future__ import annotations

import csv
import logging
import warnings
from pathlib import Path

from fieldapp.core.forms import Form
from fieldapp.core.forms.types import REFUSED
from fieldapp.services.forms import discover_forms

import os

HERE = Path(__file__).parent
EXPECTED = HERE / "expected.csv"


def corpus_root() -> Path | None:
    """The folder holding ``xlsforms/`` (and ``javarosa/``), or None when there is none."""
    root = HERE.parents[1]
    candidates = [os.environ.get("FIELDAPP_CORPUS", "")] + [
        str(base / "shared" / "corpus") for base in (root.parent, root.parent.parent)]
    for candidate in candidates:
        if candidate and (Path(candidate) / "xlsforms").is_dir():
            return Path(candidate)
    return None


_ROOT = corpus_root()
CORPUS = (_ROOT / "xlsforms") if _ROOT else HERE / "xlsforms"
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
    if corpus_root() is None:
        raise SystemExit("the public forms are not here: see tests/corpus/README.md")
    write_expected()
