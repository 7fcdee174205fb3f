"""Fill a public form in as a member does on the form screen, page by page: every shown question
answered with a value its type, choices (filtered), range and constraint accept (a few
candidates tried in turn), one row added to each repeat the member sizes; then the errors the
review lists are answered again. Shared by tests/test_corpus_walk.py and by anyone sweeping a
new set of forms (see tests/corpus/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp.core.forms import FormInstance
from fieldapp.core.forms.answer_types import range_bounds
from fieldapp.core.forms.attachments import make_attachment
from fieldapp.core.forms.navigator import PageNavigator

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
FILES = {"image": ("a.png", PNG), "audio": ("a.wav", b"RIFF0000WAVEfmt "),
         "video": ("a.mp4", b"\0\0\0 ftypmp42"), "file": ("a.txt", b"hello")}
CANDIDATES = {
    "integer": ["1", "2", "0", "5", "10", "18", "25", "40", "3", "100", "-1", "1000", "2000"],
    "decimal": ["1.5", "1", "0", "10", "2.5", "50", "0.5", "100", "-1", "1000"],
    "date": ["2026-11-20", "2026-11-23", "2000-01-15", "2020-06-01", "1990-03-10"],
    "time": ["10:30:00.000+07:00", "08:00:00.000+07:00"],
    "datetime": ["2026-11-20T10:30:00.000+07:00", "2026-11-23T08:00:00.000+07:00"],
    "text": ["Nguyễn Văn An", "abc", "1", "12345678", "A1", "0912345678", "x", "yes"],
    "barcode": ["12345678"],
    "geopoint": ["21.5 105.8 100 5", "22.6 106.3 0 4"],
    "geotrace": ["21.5 105.8 0 5;21.6 105.9 0 5"],
    "geoshape": ["21.5 105.8 0 5;21.6 105.9 0 5;21.5 105.95 0 5;21.5 105.8 0 5"],
    "acknowledge": ["OK"],
}


@dataclass
class Walk:
    pages: int = 0
    unanswered: list[str] = field(default_factory=list)
    """Questions no candidate satisfied (a constraint over several answers, a sum to 100...)."""


def candidates(inst: FormInstance, path: str, node) -> list[str]:
    if node.is_select:
        offered = [c.name for c in inst.choices_for(path)]
        if node.type == "select_multiple":
            return offered + ([" ".join(offered[:2])] if len(offered) > 1 else [])
        if node.type == "rank":
            return [" ".join(offered)]
        return offered
    if node.type == "range":
        start, end, step = range_bounds(node.parameters)
        return [str(start), str(start + step), str(end)]
    return CANDIDATES.get(node.type, ["1"])


def answer(inst: FormInstance, path: str, walk: Walk) -> None:
    node = inst.field_at(path)
    if inst.is_read_only(path) or not inst.is_relevant(path):
        return
    if node.is_attachment:
        inst.attach(path, make_attachment(node.type, *FILES[node.type]))
        return
    if inst.get_value(path) and inst.error_for(path) is None:
        return
    tried = candidates(inst, path, node)
    for value in tried:
        inst.set_value(path, value)
        if inst.error_for(path) is None:
            return
    if tried and path not in walk.unanswered:
        walk.unanswered.append(path)


def fill(inst: FormInstance, *, max_steps: int = 3000) -> Walk:
    """Walk the pages of ``inst`` as the form screen shows them, answering each question."""
    walk = Walk()
    nav = PageNavigator(inst, None)
    nav.refresh()
    added: set[str] = set()
    while walk.pages < max_steps and nav.current is not None:
        walk.pages += 1
        page = nav.current
        if page.add_row and page.add_row not in added and page.add_row.count("[") < 2:
            added.add(page.add_row)
            row = nav.add_row(page.add_row)
            nav.refresh()
            first = nav.index_of_row(row)
            if first is not None:
                nav.go(first)
            continue
        for path in page.paths:
            answer(inst, path, walk)
        nav.refresh()
        if not nav.has_next:
            break
        nav.go(nav.index + 1)
    for _ in range(300):  # what the review before finalizing still lists
        errors = inst.errors()
        if not errors or errors[0][0] in walk.unanswered:
            break
        answer(inst, errors[0][0], walk)
        if inst.errors() and inst.errors()[0][0] == errors[0][0] \
                and errors[0][0] not in walk.unanswered:
            walk.unanswered.append(errors[0][0])
    return walk


def entered(form, answers: dict) -> dict:
    """``answers`` without the values the form calculates: JavaRosa works them out again when
    a saved form is opened, so uuid(), now() or random() without once() change then (Collect
    too); what a member entered must come back unchanged."""
    out: dict = {}
    for name, value in answers.items():
        node = form.nodes.get(name)
        if isinstance(value, list):
            out[name] = [entered(form, row) if isinstance(row, dict) else row for row in value]
        elif getattr(node, "calculation", None) is None:
            out[name] = value
    return out
