"""Every public form of the corpora that loads (tests/corpus/expected.csv) is also filled in,
saved, finalized, reopened, exported and printed as a commune does it: the form in the data
folder's forms/, walked page by page as the form screen shows it (tests/corpus/walk.py), saved
through the survey service. Loading alone was measured before; the third sweep of public forms
found what only the rest of the way trips on (a paper question longer than a page, a calculated
select that could never be finalized). Runs when the corpora are present (-m longrun: 208 forms
of the three corpora in about three minutes)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "corpus"))

import outcomes  # noqa: E402
import walk  # noqa: E402

from fieldapp import paths  # noqa: E402
from fieldapp.services import reports  # noqa: E402
from fieldapp.services.exports import export_csv, export_xlsx  # noqa: E402
from fieldapp.services.forms import FormCatalog  # noqa: E402
from fieldapp.services.surveys import SurveyService  # noqa: E402

TODAY = dt.date(2026, 11, 23)
LOADING = sorted(name for name, (outcome, _c) in outcomes.read_expected().items()
                 if outcome == "loads")


@pytest.mark.longrun
@pytest.mark.parametrize("name", LOADING)
def test_a_public_form_that_loads_is_filled_saved_exported_and_printed(name, setup_store,
                                                                        tmp_path):
    root = outcomes.corpus_root()
    if root is None or not (root / name).exists():
        pytest.skip("the public forms are not here (tests/corpus/README.md)")
    source = root / name
    forms = paths.commune_forms_dir()
    forms.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, forms / source.name)
    media = source.with_name(source.stem + "-media")
    if media.is_dir():
        shutil.copytree(media, forms / media.name)
    service = SurveyService(setup_store, FormCatalog(), today=lambda: TODAY,
                            now=lambda: dt.datetime(2026, 11, 23, 9, 0))
    [info] = [i for i in service.forms() if i.path.parent == forms]
    form, instance = service.new_instance(info.form_id)
    filled = walk.fill(instance)
    sid = service.save(None, form, instance, finalize=False)
    if not filled.unanswered:  # a constraint over several answers is beyond the walk
        assert instance.errors() == []
        service.save(sid, form, instance, finalize=True)
    _form, reopened, status = service.open(sid)
    assert status == ("draft" if filled.unanswered else "final")
    assert json.dumps(walk.entered(form, reopened.answers), sort_keys=True) == json.dumps(
        walk.entered(form, instance.answers), sort_keys=True)
    reopened.pages()
    assert export_xlsx(setup_store, tmp_path / "all.xlsx").path.stat().st_size > 0
    export_csv(setup_store, tmp_path / "csv")
    stem = re.sub(r"[^\w.-]", "_", form.form_id)[:120]  # as the export names its file
    assert (tmp_path / "csv" / f"{stem}.csv").exists()
    printed = reports.questionnaire(info.form_id, tmp_path / "paper.pdf", language="vi")
    assert printed.path.read_bytes().startswith(b"%PDF")
