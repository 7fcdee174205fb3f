"""The PIN of every demo team member (kept apart from the demo's data so that the sign-in
can show it without loading the demo generator's tables)."""

DEMO_PIN = "246813"
