"""Errors that carry a message meant for the user (already translated when shown), and the
one place an operating system's refusal to read or write a file is put into the user's words
(:func:`os_reason`, :func:`file_error`): the OS's own ``strerror`` is English whatever the
interface language, and an OSError that reaches the top is not a bug but a path the user gave.
"""

from __future__ import annotations

import errno


class UserError(Exception):
    """Bad input or environment the user can fix; the CLI prints it as one line and exits 2."""

    exit_code = 2


def os_reason(exc: BaseException) -> str:
    """Why a file operation failed, in the interface language ("the folder does not exist",
    "permission denied"); the OS's own words for an errno not listed here."""
    from fieldapp.i18n.catalog import _

    reasons = {
        errno.ENOENT: lambda: _("it or its folder does not exist"),
        errno.EACCES: lambda: _("permission denied"),
        errno.EPERM: lambda: _("permission denied"),
        errno.EROFS: lambda: _("the disk is read-only"),
        errno.EISDIR: lambda: _("it is a folder, not a file"),
        errno.ENOTDIR: lambda: _("a part of the path is a file, not a folder"),
        errno.EEXIST: lambda: _("a file or folder of that name is already there"),
        errno.ENAMETOOLONG: lambda: _("the name or the path is too long"),
        errno.ELOOP: lambda: _("it is a link that points to itself"),
        errno.ENOSPC: lambda: _("the disk is full"),
        errno.EBUSY: lambda: _("it is in use by another program"),
        errno.ETXTBSY: lambda: _("it is in use by another program"),
        errno.EINVAL: lambda: _("the name is not allowed"),
        errno.ENOTEMPTY: lambda: _("the folder is not empty"),
        errno.EIO: lambda: _("the disk could not be read or written"),
    }
    code = getattr(exc, "errno", None)
    if code in reasons:
        return reasons[code]()
    return getattr(exc, "strerror", None) or str(exc)


def file_error(exc: BaseException) -> UserError | None:
    """A one-line UserError for an OSError about a file the user named ("Cannot use
    /a/b.pdf: the folder does not exist"), else None (an error that names no file)."""
    if not isinstance(exc, OSError) or not getattr(exc, "filename", None):
        return None
    from fieldapp.i18n.catalog import _

    path = str(exc.filename2 or exc.filename)  # a rename: the destination is the user's
    if path.endswith(".part"):  # written aside then renamed: the user named the file itself
        path = path[: -len(".part")]
    return UserError(_("Cannot use {path}: {reason}.").format(path=path, reason=os_reason(exc)))


def unreadable(path) -> UserError | None:
    """Why the file the user named at ``path`` cannot be read at all (it does not exist, is a
    folder, is not readable, its name is too long), else None: said before a reader of a
    format calls everything it cannot open "not a fieldapp file or damaged"."""
    from pathlib import Path

    from fieldapp.i18n.catalog import _

    path = Path(path)
    try:
        if path.is_dir():
            return UserError(_("{path} is a folder, not a file.").format(path=path))
        with open(path, "rb"):
            pass
    except OSError as exc:
        return UserError(_("Cannot read {file}: {reason}.").format(file=path,
                                                                   reason=os_reason(exc)))
    return None
