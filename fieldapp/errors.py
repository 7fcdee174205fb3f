"""Errors that carry a message meant for the user (already translated when shown)."""


class UserError(Exception):
    """Bad input or environment the user can fix; the CLI prints it as one line and exits 2."""

    exit_code = 2
