"""Sync by file: the package format, its cryptography and reading/writing it (no database)."""
