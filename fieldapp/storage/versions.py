"""Names of the schema migrations this version knows, in order.

Kept apart from :mod:`fieldapp.storage.schema` so that opening a database (and starting the app)
can check its version without importing sqlite-utils, whose import costs ~80 ms of start-up.
tests/storage/test_store.py checks that this list matches the registered migrations.
"""

MIGRATION_SET = "fieldapp"
MIGRATIONS = (
    "m001_initial",
    "m002_form_versions",
    "m003_user_pack_mode",
    "m004_name_search",
    "m005_live_count_indexes",
    "m006_change_log",
    "m007_attachments",
    "m008_sync",
    "m009_peer_commune",
    "m010_field_workflows",
    "m011_household_status",
    "m012_person_search",
    "m030_access_and_privacy",
    "m031_export_order",
    "m032_round_order",
    "m033_drop_prefix_indexes",
    "m034_member_triggers_need_household",
    "m040_devices",
    "m055_indicator_sums",
    "m056_draft_index",
    "m045_log_first_values_as_fields",
    "m060_pack_entries",
    "m061_numbers_sort_by_value",
)
