"""Trainer progress sheets, paper questionnaires and the citizen handout, read back with pypdf,
their figures recomputed from the stored submissions; bad input gives a document that says so."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from fieldapp.services import reports
from readback import flat, fonts_of, rows, text_of

TODAY = dt.date(2026, 11, 28)


pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(120, 8)


@pytest.fixture
def store(demo, open_store):
    return open_store(demo)


def _citizen_class(demo):
    """A class of the demo teaching S1 and S2 whose grid holds levels."""
    return rows(demo, """select c.id, c.name from classes c where c.deleted = 0
        and (' ' || c.skills || ' ') like '% s1 %' and (' ' || c.skills || ' ') like '% s2 %'
        and exists (select 1 from progress p where p.class_id = c.id and p.skill = 's1'
                    and p.level is not null and p.deleted = 0)
        order by c.start_date, c.id limit 1""")[0]


def test_class_grid_and_learner_pages(store, demo, tmp_path):
    cls = _citizen_class(demo)
    enrolments = rows(demo, "select id, person_id from enrolments where class_id = ? "
                            "and deleted = 0", [cls["id"]])
    out = reports.progress_sheets(store, tmp_path / "p.pdf", class_id=cls["id"],
                                  today=TODAY).path
    text = flat(text_of(out))
    assert f"Tiến độ của lớp: {cls['name']}" in text
    assert f"Số học viên: {len(enrolments)}" in text
    assert "S3. VNeID và định danh điện tử mức 2".removeprefix("S3. ") in text
    assert "Chú thích".upper() in text and "● Tự làm được" in text
    # One learner: attendance and latest level recomputed from the records.
    level = rows(demo, """select p.enrolment_id, p.level from progress p
        join enrolments e on e.id = p.enrolment_id and e.deleted = 0
        where p.class_id = ? and p.skill = 's1' and p.level is not null and p.deleted = 0
        order by p.enrolment_id limit 1""", [cls["id"]])[0]
    marks = [r["status"] for r in rows(
        demo, "select status from attendance where enrolment_id = ? and deleted = 0 "
              "and status is not null", [level["enrolment_id"]])]
    present = sum(m in ("present", "late") for m in marks)
    assert f"Đã học {present}/{len(marks)} buổi" in text
    person_id = next(e["person_id"] for e in enrolments if e["id"] == level["enrolment_id"])
    person = store.persons.get(person_id)
    page = text.split("Tiến độ học tập: " + person["full_name"])[1]
    level_labels = {"not_started": "Chưa học", "shown": "Đã được hướng dẫn",
                    "with_help": "Làm được khi có hỗ trợ", "alone": "Tự làm được"}
    s1 = page.split("S1")[1].split("S2")[0]
    assert level_labels[level["level"]] in s1
    assert all(embedded for _n, embedded in fonts_of(out))


def test_bilingual_sheets_and_a_language_without_a_pack(store, tmp_path):
    text = flat(text_of(reports.progress_sheets(store, tmp_path / "t.pdf", language="tyz",
                                                today=TODAY).path))
    assert "Nhãn tiếng Tày, bên dưới là tiếng Việt" in text
    assert "Chây điện thoại thông minh cơ bản" in text  # the Tày draft of S1 ...
    assert "Sử dụng điện thoại thông minh cơ bản" in text  # ... with the Vietnamese beneath
    assert "° bản dịch chưa được người bản ngữ duyệt" in text
    other = flat(text_of(reports.progress_sheets(store, tmp_path / "x.pdf", language="xyz",
                                                 today=TODAY).path))
    assert "Không có gói nhãn “xyz”: in bằng tiếng Việt" in other


def test_a_class_without_learners_is_a_document_that_says_so(store, demo, tmp_path):
    text = flat(text_of(reports.progress_sheets(store, tmp_path / "c.pdf",
                                                class_id="lop-khong-co", today=TODAY).path))
    assert "Không có lớp “lop-khong-co” có học viên" in text
    assert "Các lớp đã ghi nhận: " in text
    for cls in rows(demo, "select id, name from classes where deleted = 0"):
        assert f"{cls['name']} ({cls['id'][:8]})" in text
        # ... and the 8 characters printed choose that class
        chosen = reports.progress_data(store, class_id=cls["id"][:8], today=TODAY)
        assert [c.name for c in chosen.classes] == [cls["name"]]


def test_paper_questionnaire_numbers_questions_and_derives_skips(tmp_path):
    text = flat(text_of(reports.questionnaire("household_survey", tmp_path / "q.pdf",
                                              language="vi", today=TODAY).path))
    assert "Khảo sát kỹ năng số hộ gia đình" in text
    assert "Câu 1 Thôn, bản, tổ dân phố" in text
    assert "Phiếu giấy, sẽ nhập vào fieldapp sau" in text
    assert "Hộ có đồng ý trả lời không?" in text
    # Not selling online skips the channels: a skip instruction from relevance.
    assert "2 Không → câu" in text
    assert "Chỉ hỏi nếu câu 2 = 1 “Đồng ý trả lời”" in text
    # The rotation is said in words; no formula, no name of a field is printed.
    assert "Mỗi năm hộ được hỏi một trong bốn phần A, B, C, D" in text
    assert "mod" not in text and "[" not in text and "${" not in text
    assert "“Phần B: thẻ căn cước và dịch vụ công”" in text
    # A question about everyone: the people by their number in the list.
    assert "Ai trong nhà có điện thoại thông minh của riêng mình?" in text
    assert "Đánh dấu số thứ tự (#) của những người đó trong danh sách thành viên: ☐ 1 ☐ 2" \
        in text


def test_paper_questionnaire_in_a_pack_and_prefilled_for_a_household(store, tmp_path):
    household = store.query("select id, head_name from households where deleted = 0 "
                            "order by id limit 1")[0]
    members = store.persons.of_household(household["id"])
    out = reports.questionnaire("household_survey", tmp_path / "h.pdf", language="tyz",
                                store=store, household_id=household["id"], today=TODAY).path
    text = flat(text_of(out))
    assert reports.short_code(household["id"]) in text
    assert household["id"] in text
    assert all(m["full_name"] in text for m in members)
    assert "Nhãn tiếng Tày, bên dưới là tiếng Việt" in text
    for form_id, first in (("support_session", "Ngày hỗ trợ"),
                           ("training_progress", "Tên lớp hoặc mã lớp")):
        text = flat(text_of(reports.questionnaire(form_id, tmp_path / f"{form_id}.pdf",
                                                  language="ium").path))
        assert f"Câu 1 " in text and first in text
        assert "Nhãn tiếng Dao (Iu Miền), bên dưới là tiếng Việt" in text


def test_the_household_handout(store, demo, tmp_path):
    household = store.query("""select h.id from households h where h.deleted = 0 and
        (select count(*) from persons p where p.household_id = h.id and p.deleted = 0) >= 3
        order by h.id limit 1""")[0]["id"]
    rounds = store.submissions.rounds_of(household, "household_survey")
    # A note with a password-like text never reaches the handout.
    last = rounds[-1]
    answers = json.loads(last["answers"])
    answers["notes"] = "mật khẩu 482913, mã OTP 771204"
    store.submissions.save(last["id"], {"answers": answers})
    out = reports.household_handout(store, household, tmp_path / "h.pdf", language="tyz",
                                    today=TODAY).path
    text = flat(text_of(out))
    assert "Gia đình đã làm được gì với dịch vụ số" in text
    assert "Không bao giờ đưa mật khẩu, mã OTP" in text
    assert "482913" not in text and "771204" not in text
    for person in store.persons.of_household(household):
        assert person["full_name"] in text
    assert len(fonts_of(out)) and all(e for _n, e in fonts_of(out))
    from pypdf import PdfReader

    assert len(PdfReader(str(out)).pages) == 1
    smartphone = any(row.get("smartphone") in ("own", "shared")
                     for r in rounds for row in json.loads(r["answers"]).get("members", []))
    assert ("Chây điện thoại thông minh cơ bản" in text) == smartphone


def test_a_missing_household_or_form_is_one_message(store, tmp_path):
    from fieldapp.errors import UserError

    with pytest.raises(UserError, match="không có hộ"):
        reports.household_handout(store, "nope", tmp_path / "h.pdf", language="vi")
    with pytest.raises(UserError, match="Không có mẫu phiếu khong_co"):
        reports.questionnaire("khong_co", tmp_path / "q.pdf", language="vi")
    assert not list(tmp_path.iterdir())


def test_a_print_is_in_the_audit_log_without_names(store, tmp_path):
    household = store.query("select id from households where deleted = 0 limit 1")[0]["id"]
    reports.household_handout(store, household, tmp_path / "h.pdf", today=TODAY)
    event = store.audit.list(action="print")[0]
    assert (event["object_table"], event["object_id"]) == ("households", household)
    assert event["detail"] == {"report": "household", "file": "h.pdf"}
