"""Public XLSForms of other projects (../shared/corpus/wild1, wild2 and wild3: pyxform's examples,
HOT's field-mapping forms, 143 forms of 74 repositories, onadata's and pyxform's older fixtures) load, or are refused fairly naming why the
form cannot work in ODK Collect either; the figures are held here (see tests/corpus/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "corpus"))

import pytest  # noqa: E402

import outcomes  # noqa: E402


@pytest.mark.parametrize("corpus", outcomes.SETS)
def test_each_public_form_fares_as_recorded(corpus):
    if corpus not in outcomes.present_sets():
        pytest.skip(f"the public forms are not here: put {corpus}/ in ../shared/corpus or "
                    "$FIELDAPP_CORPUS (tests/corpus/README.md)")
    found = outcomes.outcomes([corpus], pyxform=False)
    expected = {k: v for k, v in outcomes.read_expected().items()
                if k.startswith(corpus + "/")}
    changed = {name: (expected.get(name, ("", None))[0], got)
               for name, (got, _p) in found.items()
               if expected.get(name, ("", None))[0] != got}
    missing = set(expected) - set(found)
    assert not changed and not missing, (changed, missing)
    assert not any("internal error" in got for got, _p in found.values())  # none crashes


def test_wild1_forms_pyxform_converts_load_unless_refused_fairly():
    f = outcomes.figures(outcomes.read_expected(), "wild1")
    assert (f["forms"], f["pyxform_valid"], f["loaded"], f["unfair"]) == (114, 93, 56, [])
    assert f["fair"] == {
        "refused: a data file the publisher did not ship": 30,
        "refused: osm": 4,
        "refused: an error ODK rejects too: an invalid expression": 2,
        "refused: an empty form": 1}
    assert f["rate"] >= 0.95


def test_wild2_forms_pyxform_converts_load_unless_refused_fairly():
    f = outcomes.figures(outcomes.read_expected(), "wild2")
    assert (f["forms"], f["pyxform_valid"], f["loaded"], f["unfair"]) == (143, 83, 64, [])
    assert f["fair"] == {
        "refused: a data file the publisher did not ship": 8,
        "refused: a function of another platform (difference-in-months())": 2,
        "refused: a function of another platform (device-info())": 2,
        "refused: a function of another platform (duration())": 1,
        "refused: a function of another platform (time())": 1,
        "refused: a function of another platform (wq:length())": 1,
        "refused: an error ODK rejects too: an invalid expression": 2,
        "refused: an error ODK rejects too: a circular dependency": 1,
        "refused: an empty form": 1}
    assert f["rate"] >= 0.95


def test_every_refusal_of_a_form_pyxform_converts_names_its_feature():
    for name, (outcome, converts) in outcomes.read_expected().items():
        assert outcome == "loads" or not converts or outcome.startswith("refused: "), name
        assert outcome != "refused: ", name


def test_wild3_forms_pyxform_converts_load_unless_refused_fairly():
    # The third sweep (onadata's fixtures, pyxform's older fixtures, Kobo and template
    # workbooks; not in ../shared/corpus unless copied there: tests/corpus/README.md). Before
    # its fixes 73 of these loaded (enclosed-area() was refused).
    f = outcomes.figures(outcomes.read_expected(), "wild3")
    assert (f["forms"], f["pyxform_valid"], f["loaded"], f["unfair"]) == (112, 77, 74, [])
    assert f["fair"] == {
        "refused: osm": 1,
        "refused: an error ODK rejects too: an invalid expression": 1,
        "refused: an empty form": 1}
    assert f["rate"] >= 0.95
