"""200+ generated broken form files: the loader refuses each clearly and never crashes."""

from __future__ import annotations

import pytest
from broken_forms.generate import generate, valid_form

from fieldapp.core.forms import FormLoadError
from fieldapp.services.forms import check_files, load_form_file


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("broken"))


def test_the_base_form_is_valid(tmp_path):
    form = load_form_file(valid_form(tmp_path))
    assert form.form_id == "test_form" and len(form.entities) == 2


def test_there_are_more_than_200_cases(cases):
    assert len(cases) >= 200


def test_every_broken_file_is_refused_with_located_clear_problems(cases):
    failures = []
    for case in cases:
        try:
            load_form_file(case.path)
        except FormLoadError as err:
            problems = err.problems
        except Exception as exc:  # what this test exists to catch
            failures.append(f"{case.name}: {type(exc).__name__}: {exc}")
            continue
        else:
            failures.append(f"{case.name}: loaded without a problem")
            continue
        if not problems:
            failures.append(f"{case.name}: FormLoadError without problems")
            continue
        for p in problems:
            text = str(p)
            if not p.message.strip() or "\n" in text or "Traceback" in text:
                failures.append(f"{case.name}: unclear problem {text!r}")
            if p.file != case.path.name:
                failures.append(f"{case.name}: problem names file {p.file!r}")
        if case.column is not None or case.row is not None:
            located = [p for p in problems
                       if (case.sheet is None or p.sheet == case.sheet)
                       and (case.row is None or p.row == case.row)
                       and (case.column is None or p.column == case.column
                            or (p.column or "").startswith(case.column + "::"))]
            if not located:
                failures.append(f"{case.name}: expected {case.sheet} row {case.row} column "
                                f"{case.column}, got: " + " | ".join(map(str, problems)))
    assert not failures, "\n".join(failures)


def test_check_files_gives_one_line_per_problem_for_every_file(cases):
    for case in cases:
        lines = check_files([case.path])
        assert lines, case.name
        assert all(line.startswith(case.path.name + ": ") and "\n" not in line
                   for line in lines), (case.name, lines)
