"""Public XLSForms (pyxform's own examples, HOT's field-mapping forms, KoboToolbox's test
forms) load, or are refused on purpose naming the feature; the figures are held here (see
tests/corpus/README.md)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "corpus"))

import pytest  # noqa: E402

import outcomes  # noqa: E402


def test_each_public_form_fares_as_recorded():
    if outcomes.corpus_root() is None:
        pytest.skip("the public forms are not here: put them in shared/corpus/xlsforms or "
                    "$FIELDAPP_CORPUS/xlsforms (tests/corpus/README.md)")
    found = outcomes.outcomes(pyxform=False)
    expected = outcomes.read_expected()
    changed = {name: (expected.get(name, ("", None))[0], got) for name, (got, _p) in found.items()
               if expected.get(name, ("", None))[0] != got}
    missing = set(expected) - set(found)
    assert not changed and not missing, (changed, missing)


def test_every_form_pyxform_converts_loads_unless_refused_on_purpose():
    expected = outcomes.read_expected()
    figures = Counter(o.split(":")[0] for o, converts in expected.values() if converts)
    assert figures == {"loads": 105, "refused": 28}
    assert all(o == "loads" or o.startswith("refused")
               for o, converts in expected.values() if converts)
    # The forms that fail are those pyxform refuses too.
    assert Counter(o.split(":")[0] for o, converts in expected.values() if not converts) == {
        "fails": 15}
    refused = Counter(o for o in (o for o, _c in expected.values()) if o.startswith("refused"))
    assert refused == {
        "refused: a data file the form needs is not shipped": 13,
        "refused: include": 8, "refused: osm": 4,
        "refused: an invalid expression (ODK Validate refuses it too)": 3}
