"""Free text that looks like a CCCD number, an OTP or a password is refused when saving;
ids and values the form sets itself are never taken for one."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fieldapp import paths
from fieldapp.core import demo_data as dd
from fieldapp.core.privacy import sensitive_answers, sensitive_text
from fieldapp.errors import UserError
from fieldapp.services.demo_surveys import fill_household_survey
from fieldapp.services.forms import FormCatalog
from fieldapp.services.surveys import SurveyService

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("text, kind", [
    ("số căn cước 001234567890", "cccd"), ("CCCD: 001 234 567890", "cccd"),
    ("mã OTP là 482913", "otp"), ("mat khau: hoa1975", "password"),
    ("nhà có 2 điện thoại", None), ("SĐT 0912345678", None)])
def test_what_counts_as_a_secret(text, kind):
    assert sensitive_text(text) == kind


def test_only_typed_text_is_looked_at():
    answers = {"village": "4b1f0c2e-9a7d-4c3e-8f21-123456789012", "notes": "OTP 482913",
               "members": [{"@key": "k1", "existing_person": "00000000-0000-4000-8000-"
                                                              "000000000001"}]}
    typed = {"notes"}.__contains__
    assert sensitive_answers(answers, typed=typed) == [("notes", "otp")]
    assert ("village", "cccd") in sensitive_answers(answers)  # looked at blindly, an id


def test_saving_refuses_a_secret_in_a_note_but_not_an_id_that_looks_like_one(setup_store):
    store = setup_store
    svc = SurveyService(store, FormCatalog([paths.forms_dir()]), today=lambda: TODAY)
    village = store.villages.list()[0]["id"]
    members = [dd.Member("head", "female", 1975, "tay", "Hà", "Hà Thị Xuyến")]
    form, instance = fill_household_survey(svc, random.Random(3), village, members)
    instance.set_value("notes", "Bà cho số CCCD 001234567890 để làm VNeID")
    with pytest.raises(UserError, match="CCCD"):
        svc.prepare_save(None, form, instance, finalize=True)
    instance.set_value("notes", "")
    # An id whose last group is all digits (one record in 280) is not a CCCD number.
    instance.set_value("existing_household", "4b1f0c2e-9a7d-4c3e-8f21-123456789012")
    svc.prepare_save(None, form, instance, finalize=True)
