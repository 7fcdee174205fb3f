"""Numbers and templates for the demo commune's teams, support sessions and classes.

Codes are those of the shipped support session and training progress forms
(tests/services/test_demo_workflows.py checks each against the forms). Counts follow
DOMAIN.md §2 and §7: a team per village of 3-6 members (the demo's village members) plus the
commune's team, sessions a few times a month per team, one to five people helped a session;
classes for citizens, for team members and for commune officials (§5), with the checklist's
skills.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_SESSIONS_FROM = "2025-12-01"
DEMO_SESSIONS_TO = "2026-11-20"
"""The demo year: after the first survey round, up to the end of the second
(fieldapp.services.demo_rounds)."""
SESSIONS_PER_TEAM_MONTH = (1, 4)
PEOPLE_PER_SESSION = (1, 5)
FOLLOW_UP_SHARE = 0.25
FOLLOW_UP_DONE_SHARE = 0.7
COMMUNE_TEAM_SHARE = 0.15
"""Sessions held by the commune's team (its staff) rather than the village's team."""
HOUSEHOLD_ONLY_SHARE = 0.5
"""Of those helped to open an online stall, the share recorded as their household as a
whole rather than as a person."""

# What a session of an activity may achieve for a person (outcome codes of the form).
ACTIVITY_OUTCOMES = {
    "device_and_lookup": ("scam_guidance", "dvc_submitted", "none"),
    "cccd_eid_enrolment": ("cccd_eid_registered", "vneid_level2_activated"),
    "cds_app_and_epayment": ("cds_xu_lang_installed", "bank_app_installed", "ewallet_opened",
                             "bill_paid_online"),
    "dvc_and_signature": ("dvc_submitted", "digital_signature_issued"),
    "ecommerce_stall": ("shop_listed",),
    "promote_platforms": ("ehealth_record_viewed", "cds_xu_lang_installed"),
    "loudspeaker_radio": ("scam_guidance",),
    "family_tutoring": ("bank_app_installed", "scam_guidance", "none"),
}
ACTIVITY_WEIGHTS = {
    "device_and_lookup": 30, "cccd_eid_enrolment": 22, "cds_app_and_epayment": 20,
    "dvc_and_signature": 14, "ecommerce_stall": 5, "promote_platforms": 4,
    "loudspeaker_radio": 3, "family_tutoring": 2,
}
TEAM_AFFILIATIONS = ("village_official", "mass_organisation", "youth_union", "teacher",
                     "volunteer")
COMMUNE_TEAM_AFFILIATIONS = ("commune_committee", "police", "it_staff", "youth_union")


@dataclass(frozen=True)
class ClassTemplate:
    name: str
    learner_type: str
    skills: tuple[str, ...]
    start: str
    days: int
    learners: tuple[int, int]
    place: str


CLASS_TEMPLATES = (
    ClassTemplate("Bình dân học vụ số – {village} – đợt 1", "citizen",
                  ("s1", "s2", "s3", "s10"), "2026-03-09", 3, (12, 20), "Nhà văn hóa {village}"),
    ClassTemplate("Thanh toán không dùng tiền mặt – {village}", "citizen",
                  ("s7", "s8", "s10"), "2026-06-15", 2, (10, 16), "Nhà văn hóa {village}"),
    ClassTemplate("Dịch vụ công trực tuyến cho người dân – {village}", "citizen",
                  ("s3", "s5", "s6", "s11"), "2026-08-17", 2, (10, 15), "Nhà văn hóa {village}"),
    ClassTemplate("Bán hàng trên mạng – {village}", "citizen", ("s7", "s9", "s10"),
                  "2026-10-12", 2, (8, 12), "Nhà văn hóa {village}"),
    ClassTemplate("Tập huấn thành viên Tổ công nghệ số cộng đồng", "member",
                  ("m1", "m2", "s3", "s5", "s10"), "2026-01-19", 2, (10, 20),
                  "Hội trường Ủy ban nhân dân xã"),
    ClassTemplate("Kỹ năng số cho cán bộ, công chức xã", "official",
                  ("s5", "s6", "s10", "s12"), "2026-07-06", 2, (8, 12),
                  "Hội trường Ủy ban nhân dân xã"),
)
# How likely a learner reaches each level (not started, shown, with help, alone) by the end.
LEVEL_WEIGHTS = (5, 25, 40, 30)
ATTENDANCE_WEIGHTS = {"present": 82, "late": 8, "absent": 10}
