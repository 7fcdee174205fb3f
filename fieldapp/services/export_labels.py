"""Column headers for the shipped forms' calculations in the exports: those XLSForm rows have
no label (ODK needs none), so without these the XLSX and CSV headers would be the fields'
English-like names ("member_count"). A commune's own form labels its calculations itself, or
keeps their names."""

from __future__ import annotations

from fieldapp.i18n.catalog import N_, _

CALCULATED = {
    "household_survey": {
        "existing_household": N_("Registered household (id)"),
        "row_no": N_("Row number"),
        "existing_person": N_("Registered person (id)"),
        "roster_locked": N_("Confirmed from the last round, unchanged"),
        "age": N_("Age"),
        "member_label": N_("Member (name, age)"),
        "is_head": N_("Head of household (1 yes, 0 no)"),
        "head_pos": N_("Row of the head (0 for the others)"),
        "member_village": N_("Member's village"),
        "presence": N_("Member's status"),
        "is_absent": N_("Nobody answered for this member (1 yes, 0 no)"),
        "member_count": N_("Number of members"),
        "head_count": N_("Number of heads"),
        "head_row": N_("Row of the head"),
        "head_name": N_("Head of household"),
        "hh_ethnicity": N_("Ethnic group of the head"),
        "head_birth_year": N_("Year of birth of the head"),
        "all_same_ethnicity": N_("Everyone of the head's ethnic group"),
        "head_left": N_("The head moved away or died"),
        "module": N_("Rotating question module"),
        "absent_count": N_("Members nobody answered for"),
        "interview_result": N_("Result of the visit"),
        "adult_pos": N_("Row of a person aged 15 or over"),
        "is_adult": N_("Aged 15 or over (1 yes, 0 no)"),
        "asked_pos": N_("Row of a person answered for"),
        "is_asked": N_("Answered for (1 yes, 0 no)"),
        "answered_by": N_("Who answered"),
        "phone_own": N_("Smartphone of their own"),
        "phone_shared": N_("Smartphone shared with the household"),
        "smartphone": N_("Smartphone"),
        "phone_pos": N_("Row of a smartphone user"),
        "is_phone_user": N_("Uses a smartphone (1 yes, 0 no)"),
        "internet_use": N_("Used the internet in the last 30 days"),
        "vneid_level2": N_("VNeID level 2"),
        "epayment": N_("Bank account or e-wallet on the phone"),
        "dvc_self": N_("Online public services done alone"),
        "dvc_helped": N_("Online public services done with help"),
        "dvc_use": N_("Online public services"),
        "is_dvc_user": N_("Uses online public services (1 yes, 0 no)"),
        "scam_awareness": N_("Recognises a scam call"),
        "bhvs_training": N_("Took the “Bình dân học vụ số” class"),
        "cccd": N_("Chip ID card"),
        "digital_signature": N_("Personal digital signature"),
        "cds_installed": N_("“Công dân số Xứ Lạng” app installed"),
        "is_cds_user": N_("Uses the “Công dân số Xứ Lạng” app (1 yes, 0 no)"),
        "chatbot_used": N_("Asked the government's virtual assistant"),
        "ehealth_record": N_("Electronic health record on the phone"),
    },
}


def calculated_label(form_id: str, name: str) -> str | None:
    """The header of a shipped form's calculation, in the interface language, or None."""
    label = CALCULATED.get(form_id, {}).get(name)
    return _(label) if label else None
