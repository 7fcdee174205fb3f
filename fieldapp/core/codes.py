"""Code lists shared by the registry, the demo commune and the shipped forms.

Answers and registry columns store these codes, never translated labels. Labels are marked with
N_() so they are extracted into the interface catalogs and translated when shown.
"""

from __future__ import annotations

from fieldapp.i18n.catalog import N_

ETHNICITIES = {
    "kinh": N_("Kinh"),
    "tay": N_("Tày"),
    "nung": N_("Nùng"),
    "dao": N_("Dao"),
    "hmong": N_("H'Mông"),
    "san_chay": N_("Sán Chay"),
    "hoa": N_("Hoa"),
    "other": N_("Other"),
}

SEXES = {"male": N_("Male"), "female": N_("Female")}

RELATIONS = {
    "head": N_("Head of household"),
    "spouse": N_("Spouse"),
    "child": N_("Child"),
    "child_in_law": N_("Daughter-in-law or son-in-law"),
    "grandchild": N_("Grandchild"),
    "parent": N_("Parent"),
    "parent_in_law": N_("Parent-in-law"),
    "sibling": N_("Sibling"),
    "sibling_in_law": N_("Sibling-in-law"),
    "other": N_("Other relative or lodger"),
}

# The result of a visit to a household (the survey's interview_result): refusals and
# revisits are counted, not lost.
INTERVIEW_RESULTS = {
    "completed": N_("Completed"),
    "partly": N_("Partly completed"),
    "refused": N_("Refused"),
    "nobody_home": N_("Nobody at home, to revisit"),
    "moved": N_("Household moved away"),
    "vacant": N_("House empty"),
}

ROLES = {
    "member": N_("Team member"),
    "commune_staff": N_("Commune staff"),
    "trainer": N_("Trainer"),
}

VILLAGE_KINDS = {"thon": N_("thôn"), "ban": N_("bản"), "to_dan_pho": N_("tổ dân phố")}

POOR_STATUS = {"poor": N_("Poor household"), "near_poor": N_("Near-poor household"),
               "neither": N_("Neither")}

BARRIERS = {
    "no_device": N_("No device"),
    "no_power": N_("No electricity"),
    "no_signal": N_("No signal"),
    "data_cost": N_("Mobile data too expensive"),
    "cannot_read": N_("Cannot read"),
    "no_vietnamese": N_("Does not speak Vietnamese"),
    "prefers_cash": N_("Prefers cash or in-person dealings"),
    "not_interested": N_("Not interested"),
}
