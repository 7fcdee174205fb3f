"""Helpers for forms tests: write small XLSForm workbooks and generate broken ones."""
