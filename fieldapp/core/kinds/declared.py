"""Every kind of synced record of fieldapp, each declared once (fieldapp.core.kinds).

The order is the order records may depend on each other (a village before its households,
a household before its persons): rebuilding the tables from the log follows it.
"""

from __future__ import annotations

from fieldapp.core.kinds.model import (
    BYTES, CHANGE, CREATE, DEVICE, INTEGER, JSON, MAP, MEMBER, PROVINCE, STAFF, TRAINER, TREE,
    Field, Kind, Ref, Scope, Search, grant)
from fieldapp.core.pack_entries import problem_of as _pack_entry_problem
from fieldapp.i18n.catalog import N_

TRANSLATOR = "translator"
"""The capability (a field of team members, set by commune staff) to write label pack
entries."""

TRAINER_FORMS = frozenset({"training_progress"})
"""Forms a trainer fills in and reads (their answers are skills progress, not survey answers)."""

_STAFF = grant(STAFF)
_VILLAGE_WORK = (grant(STAFF), grant(MEMBER))
"""Commune staff anywhere in the commune, a member within their village."""
_TRAINING = (grant(STAFF), grant(TRAINER), grant(MEMBER))
"""Training records: commune staff, trainers (any class of the commune), members (classes of
their village)."""


def _trainer_form(values) -> bool:
    return values.get("form_id") in TRAINER_FORMS


KINDS: tuple[Kind, ...] = (
    Kind("communes", N_("Commune"), (
        Field("name", required=True, search=Search("name_key")),
        Field("province"),
        Field("legacy_names", JSON),
    ), Scope.COMMUNE, (_STAFF, grant(PROVINCE)), title="name"),

    Kind("villages", N_("Village"), (
        Field("commune_id", required=True, commune=True, ref=Ref("communes")),
        Field("name", required=True, search=Search("name_key", "name_sort")),
        Field("kind"),
        Field("legacy_names", JSON),
        Field("remote", INTEGER),
        Field("position", INTEGER),
    ), Scope.COMMUNE, (_STAFF, grant(PROVINCE)), title="name"),

    # The commune's team members (the app's users). Their role and village say what each may
    # write (fieldapp.core.authority); a PIN set on a laptop signs in on that laptop only.
    Kind("users", N_("Team member"), (
        Field("name", required=True, personal=True,
              search=Search("name_key", "name_sort", person=True)),
        Field("role", required=True),
        Field("village_id", ref=Ref("villages")),
        Field("pin_hash", secret=True),
        Field("language"),
        Field(TRANSLATOR, INTEGER, capability=True),
    ), Scope.COMMUNE, (_STAFF,), title="name"),

    # The commune's register of laptops: each member laptop the commune registered (and the
    # team member who uses it), the commune's own laptop, its province's. One record per
    # laptop and register (fieldapp.core.authority.registration_id); ``device`` is the id that
    # every change the laptop makes carries in its stamp. A registration tombstoned "retired"
    # writes nothing stamped after that.
    Kind("devices", N_("Laptop"), (
        Field("device", required=True),
        Field("name"),
        Field("role", required=True),
        Field("commune_id", required=True, commune=True, ref=Ref("communes")),
        Field("user_id", ref=Ref("users")),
    ), Scope.COMMUNE, (_STAFF, grant(PROVINCE)), title="name"),

    Kind("households", N_("Household"), (
        Field("village_id", required=True, village=True, ref=Ref("villages")),
        Field("head_name", required=True, personal=True,
              search=Search("head_name_key", "head_sort", person=True)),
        Field("ethnicity", personal=True),
        Field("poor_status", personal=True),
        Field("phone", personal=True),
        Field("properties", MAP, personal=True),
        Field("last_verified", automatic=True),
        Field("merged_into", ref=Ref("households", erase=True)),
    ), Scope.VILLAGE, (*_VILLAGE_WORK, grant(TRAINER, CREATE)), title="head_name",
        erasable=True, merged_into="merged_into"),

    Kind("persons", N_("Person"), (
        Field("household_id", required=True,
              ref=Ref("households", erase=True, merge=True, scope=True)),
        Field("full_name", required=True, personal=True,
              search=Search("name_key", "name_sort", person=True)),
        Field("sex", personal=True),
        Field("birth_year", INTEGER, personal=True),
        Field("ethnicity", personal=True),
        Field("relation", personal=True),
        Field("properties", MAP, personal=True),
    ), Scope.VILLAGE, (*_VILLAGE_WORK, grant(TRAINER, CREATE)), title="full_name",
        erasable=True),

    # A filled form. ``entities``: the registry records a finalized submission made, one field
    # per record ("household", "person:<row key>"), so two laptops that each add a member keep
    # both. A survey belongs to its household's village, a form without one to its own.
    Kind("submissions", N_("Survey record"), (
        Field("form_id", required=True),
        Field("form_version", required=True),
        Field("status", required=True, automatic=True),
        Field("household_id", ref=Ref("households", erase=True, merge=True, scope=True)),
        Field("village_id", village=True, ref=Ref("villages")),
        Field("user_id", automatic=True, ref=Ref("users")),
        Field("finalized_at", automatic=True),
        Field("entities", MAP),
        Field("answers", TREE, personal=True),
    ), Scope.VILLAGE, (*_VILLAGE_WORK, grant(TRAINER, CREATE, CHANGE, when=_trainer_form))),

    # A file attached to an answer (photo, audio, document): the answer holds its file name.
    Kind("attachments", N_("Attached file"), (
        Field("submission_id", required=True, ref=Ref("submissions", erase=True, scope=True)),
        Field("filename", required=True, personal=True),
        Field("media_type"),
        Field("size", INTEGER),
        Field("sha256"),
        Field("content", BYTES, required=True, personal=True),
    ), Scope.VILLAGE, (*_VILLAGE_WORK, grant(TRAINER, CREATE)), title="filename"),

    # Field workflows (DOMAIN.md sections 2 and 5). Codes (activities, outcomes, skills,
    # levels, attendance, learner types) are those of the shipped forms support_session and
    # training_progress; lists of codes are space-separated, as select_multiple answers are.
    # A team (To cong nghe so cong dong) of the commune or of one village.
    Kind("teams", N_("Team"), (
        Field("commune_id", commune=True, ref=Ref("communes")),
        Field("village_id", ref=Ref("villages")),
        Field("name", required=True, search=Search("name_key", "name_sort")),
        Field("level"),
        Field("notes"),
    ), Scope.COMMUNE, (_STAFF,), title="name"),

    # A user's membership of a team, with the role held and where the member comes from.
    Kind("team_members", N_("Team membership"), (
        Field("team_id", required=True, ref=Ref("teams", scope=True)),
        Field("user_id", required=True, ref=Ref("users")),
        Field("role"),
        Field("affiliation"),
        Field("joined_on"),
        Field("left_on"),
    ), Scope.COMMUNE, (_STAFF,)),

    # A support session: who of the team was there (user ids), what was done (activity codes),
    # and when to come back.
    Kind("sessions", N_("Support session"), (
        Field("date", required=True),
        Field("village_id", required=True, village=True, ref=Ref("villages")),
        Field("team_id", ref=Ref("teams")),
        Field("members"),
        Field("activities"),
        Field("duration_min", INTEGER),
        Field("follow_up_date"),
        Field("follow_up_of", ref=Ref("sessions")),
        Field("follow_up_done"),
        Field("notes"),
        Field("user_id", automatic=True, ref=Ref("users")),
    ), Scope.VILLAGE, _VILLAGE_WORK),

    # A person helped in a session and what they achieved (outcome codes); a household helped
    # as a whole (an online stall) has no person.
    Kind("session_persons", N_("Person helped"), (
        Field("session_id", required=True, ref=Ref("sessions", scope=True)),
        Field("person_id", ref=Ref("persons", erase=True)),
        Field("household_id", ref=Ref("households", erase=True, merge=True)),
        Field("outcomes"),
        Field("outcome_other", personal=True),
    ), Scope.VILLAGE, _VILLAGE_WORK),

    # A training class and the skills it teaches (skill codes); a class of no village is the
    # commune's.
    Kind("classes", N_("Training class"), (
        Field("name", required=True, search=Search("name_key", "name_sort")),
        Field("trainer_id", ref=Ref("users")),
        Field("place"),
        Field("village_id", village=True, ref=Ref("villages")),
        Field("start_date", required=True),
        Field("end_date"),
        Field("skills"),
        Field("learner_type"),
        Field("notes"),
    ), Scope.VILLAGE, _TRAINING, title="name"),

    # A learner of a class: a person of the registry or a team member (a user).
    Kind("enrolments", N_("Learner"), (
        Field("class_id", required=True, ref=Ref("classes", scope=True)),
        Field("person_id", ref=Ref("persons", erase=True)),
        Field("user_id", ref=Ref("users")),
    ), Scope.VILLAGE, _TRAINING),

    # A learner's attendance on one date of the class (one record per learner and date).
    Kind("attendance", N_("Attendance"), (
        Field("class_id", required=True, ref=Ref("classes", scope=True)),
        Field("enrolment_id", required=True, ref=Ref("enrolments", erase=True)),
        Field("date", required=True),
        Field("status"),
    ), Scope.VILLAGE, _TRAINING),

    # A learner's level in one skill (one record per learner and skill; each change of level
    # stays in the record's history).
    Kind("progress", N_("Skill level"), (
        Field("class_id", required=True, ref=Ref("classes", scope=True)),
        Field("enrolment_id", required=True, ref=Ref("enrolments", erase=True)),
        Field("skill", required=True),
        Field("level"),
        Field("assessed_on", automatic=True),
    ), Scope.VILLAGE, _TRAINING),

    # Who did what, when and on which laptop (the device and time are the record's own):
    # sign-ins, imports, exports, prints, deletions, erasures, restores, role changes. No names
    # of households or persons: ``detail`` holds counts, file names, record ids.
    Kind("audit_events", N_("Audit event"), (
        Field("action", required=True),
        Field("user_id", ref=Ref("users"), author=True),
        Field("object_table"),
        Field("object_id"),
        Field("detail", JSON),
    ), Scope.UPWARD, (grant(DEVICE, CREATE),), append_only=True),

    # A household's or person's personal data erased on request (fieldapp.storage.erasure):
    # wherever this record arrives, the same data is removed and never accepted again.
    Kind("erasures", N_("Erasure"), (
        Field("target_table", required=True),
        Field("target_id", required=True),
        Field("reason"),
        Field("user_id", ref=Ref("users")),
    ), Scope.COMMUNE, (grant(STAFF, CREATE), grant(PROVINCE, CREATE)), append_only=True),

    # A text of a label pack (fieldapp.core.pack_entries): one record per pack and text, the
    # same id on every laptop, shared by every commune of the province. Written by team
    # members marked translator (any role) and commune staff; a hub answers for the entries of
    # other communes it relays.
    Kind("pack_entries", N_("Label pack entry"), (
        Field("pack", required=True),
        Field("key", required=True),
        Field("source", required=True),
        Field("text"),
        Field("status"),
        Field("comment"),
        Field("reviewer", automatic=True),
        Field("reviewer_commune", automatic=True),
        Field("reviewed_at", automatic=True),
        Field("audio", BYTES),
        Field("audio_ms", INTEGER),
    ), Scope.SHARED, (grant(STAFF), grant(PROVINCE),
                      grant(MEMBER, CREATE, CHANGE, needs=TRANSLATOR),
                      grant(TRAINER, CREATE, CHANGE, needs=TRANSLATOR)),
        title="key", valid=_pack_entry_problem),
)
