"""Printed reports, read back with pypdf: the Vietnamese words with their diacritics, the numbers
recomputed here from the stored answers, every font embedded, the same bytes for the same data
on the same day, and a valid document saying so for every kind of bad input."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from readback import flat, fonts_of, text_of
from readback import rows as _rows

from fieldapp.reports.pdf import OutputProblem
from fieldapp.services import reports
from fieldapp.services.indicators import Period

TODAY = dt.date(2026, 11, 28)


pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(240, 4)


@pytest.fixture
def store(demo, open_store):
    return open_store(demo)


def vn(number: int) -> str:
    return f"{number:,}".replace(",", ".")


# -- independent counts from the stored answers ------------------------------------------------

def latest_rounds(path, village_id=None):
    """Each household's latest round with an interview: (answers, village id)."""
    latest = {}
    for r in _rows(path, """select household_id, village_id, answers from submissions
                            where form_id = 'household_survey' and status = 'final'
                            and deleted = 0 order by finalized_at, id"""):
        answers = json.loads(r["answers"])
        if answers.get("interview_result") in ("completed", "partly") and r["household_id"]:
            if village_id is None or r["village_id"] == village_id:
                latest[r["household_id"]] = (answers, r["village_id"])
    return list(latest.values())


def people(rounds):
    for answers, village in rounds:
        for row in answers.get("members", []):
            if row.get("member_status") not in ("moved", "died"):
                yield answers, row, village


def smartphone_counts(rounds):
    n = big_n = 0
    for _answers, row, _v in people(rounds):
        if int(row["age"]) >= 15 and row.get("answered_by") != "absent":
            big_n += 1
            n += row.get("smartphone") in ("own", "shared")
    return n, big_n


def epayment_counts(rounds):
    n = big_n = 0
    for answers, row, _v in people(rounds):
        if int(row["age"]) < 18 or answers["module"] != "2" or row.get("answered_by") == "absent":
            continue
        if row.get("epayment") == "dont_know":
            continue
        big_n += 1
        n += row.get("epayment") == "yes"
    return n, big_n


def fibre_counts(rounds):
    return sum(a["fibre"] == "yes" for a, _v in rounds), len(rounds)


# -- the commune summary -----------------------------------------------------------------------

def test_commune_summary_numbers_are_the_stored_answers(store, demo, tmp_path):
    out = reports.commune_summary(store, tmp_path / "xa.pdf", today=TODAY).path
    text = text_of(out)
    for words in ("BÁO CÁO TỔNG HỢP CHUYỂN ĐỔI SỐ CỘNG ĐỒNG", "Các chỉ tiêu chính",
                  "Người từ 15 tuổi dùng điện thoại thông minh", "theo thôn, bản",
                  "Theo dân tộc và giới tính".lower(), "Các buổi hỗ trợ người dân",
                  "Hoạt động của các Tổ công nghệ số cộng đồng", "Tiến độ học kỹ năng số",
                  "Mức đầy đủ của số liệu", "Trang 1/", "Nghị quyết 49-NQ/TU"):
        assert words.lower() in text.lower(), words
    rounds = latest_rounds(demo)
    body = flat(text)
    for counts in (smartphone_counts(rounds), epayment_counts(rounds), fibre_counts(rounds)):
        n, big_n = counts
        assert f"{vn(n)}/{vn(big_n)}" in body, counts
        assert f"{n / big_n * 100:.1f}%".replace(".", ",") in body
    # The first village's bar: its own count.
    first = _rows(demo, "select id, name from villages order by position limit 1")[0]
    n, big_n = smartphone_counts([r for r in rounds if r[1] == first["id"]])
    assert f"{round(n / big_n * 100)}% ({vn(n)}/{vn(big_n)})" in body
    assert f"{vn(len(rounds))} hộ" in body
    # Sessions and training come from the records of the Sessions and Training screens.
    sessions = _rows(demo, "select count(*) n from sessions where deleted = 0")
    assert f"{vn(sessions[0]['n'])} buổi hỗ trợ" in body


def test_the_summary_names_nobody(store, demo, tmp_path):
    text = flat(text_of(reports.commune_summary(store, tmp_path / "xa.pdf", today=TODAY).path))
    names = [r["full_name"] for r in _rows(demo, "select full_name from persons limit 300")]
    assert not [name for name in names if name in text]


def test_fonts_are_embedded_and_the_same_day_gives_the_same_bytes(store, tmp_path):
    a = reports.commune_summary(store, tmp_path / "a.pdf", today=TODAY).path
    b = reports.commune_summary(store, tmp_path / "b.pdf", today=TODAY).path
    assert a.read_bytes() == b.read_bytes()
    fonts = fonts_of(a)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert all("DejaVuSans" in name for name, _e in fonts)
    c = reports.commune_summary(store, tmp_path / "c.pdf", today=TODAY + dt.timedelta(days=1))
    assert c.path.read_bytes() != a.read_bytes()


def test_a_village_a_period_without_data_and_a_village_without_households(store, demo,
                                                                          tmp_path):
    village = _rows(demo, "select id, name from villages order by position limit 1")[0]
    text = flat(text_of(reports.commune_summary(store, tmp_path / "v.pdf",
                                                village=village["name"].upper(),
                                                today=TODAY).path))
    n, big_n = smartphone_counts(latest_rounds(demo, village["id"]))
    assert f"{vn(n)}/{vn(big_n)}" in text and village["name"] in text
    empty = flat(text_of(reports.commune_summary(
        store, tmp_path / "p.pdf", period=Period(dt.date(2020, 1, 1), dt.date(2020, 12, 31)),
        today=TODAY).path))
    assert "không có hộ nào được phỏng vấn trong kỳ này" in empty
    assert "Không có số liệu: không ghi nhận buổi hỗ trợ nào trong kỳ này" in empty
    assert "từ 01/01/2020 đến 31/12/2020" in empty
    commune = store.commune()
    store.villages.add_village(commune["id"], "Bản Mới Lập")
    try:
        lonely = flat(text_of(reports.commune_summary(store, tmp_path / "n.pdf",
                                                      village="Bản Mới Lập", today=TODAY).path))
        assert "Bản Mới Lập" in lonely and "Không có số liệu" in lonely
    finally:
        store.villages.tombstone(store.villages.list()[-1]["id"], "test")


def test_an_unknown_village_and_an_unwritable_path_are_one_clear_message(store, tmp_path):
    from fieldapp.errors import UserError

    with pytest.raises(UserError, match="Không có thôn, bản Bản Không Có"):
        reports.commune_summary(store, tmp_path / "x.pdf", village="Bản Không Có")
    with pytest.raises(OutputProblem, match="không tồn tại"):
        reports.commune_summary(store, tmp_path / "missing" / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
