"""What to tell the user about a package that cannot be imported, or about the changes of a
package that were left out, in their language."""

from __future__ import annotations

from fieldapp.i18n.catalog import N_, _, ngettext
from fieldapp.i18n.formatting import format_number
from fieldapp.storage.engine import sqlite
from fieldapp.sync.package import BROKEN_ARCHIVE, PackageError

UNEXPECTED_CONTENT = (*BROKEN_ARCHIVE, TypeError, ValueError, AttributeError, UnicodeError,
                      RecursionError, sqlite.IntegrityError)
"""What applying a package whose format is sound can still raise on content no fieldapp
writes (a value of the wrong type, a constraint broken): that file is refused, the others of
the import go on (fieldapp.services.sync.exchange.import_package). Failures of the laptop
itself (a full disk, a locked database) are not in it: they stop the import."""

_REASONS = {
    "not_a_package": N_("This file is not a fieldapp package."),
    "missing": N_("There is no such file."),
    "unreadable": N_("The file cannot be read ({detail})."),
    "incomplete": N_("The file is incomplete: it was cut short while being copied. Copy it "
                     "again from the laptop that made it."),
    "damaged": N_("The package is damaged or incomplete (copy it again from the source)."),
    "too_large": N_("The package is larger than any package fieldapp makes; it was not opened."),
    "newer_format": N_("The package was made by a newer version of fieldapp; update fieldapp to "
                       "import it."),
    "bad_signature": N_("The package's signature does not match: it was changed after it was "
                        "made, or it was not made by the laptop it names."),
    "unknown_device": N_("The package comes from a laptop that is not registered with this "
                         "commune."),
    "other_commune": N_("The package belongs to another commune ({detail}), not to this one: "
                        "give it to that commune."),
    "not_for_us": N_("The package is meant for another laptop."),
    "wrong_key": N_("The package was sealed with a key this laptop does not hold."),
    "tampered": N_("The package's content does not match its signature: it was damaged or "
                   "changed."),
    "bad_entry": N_("The package holds an entry that is not valid ({detail})."),
    "duplicate_entry": N_("The package holds the same entry twice; it was not imported."),
}


def package_error_message(exc: PackageError) -> str:
    """One line in the interface language (a file name or place at most, never a program's
    own words: those stay in ``exc.cause``, for a log)."""
    template = _REASONS.get(exc.reason)
    if template is None:
        return _("The package cannot be imported ({detail}).").format(detail=exc.reason)
    detail = " ".join(str(exc.detail).split())[:120]  # a name from the file: one short line
    return _(template).format(detail=detail)


def unexpected_content_message() -> str:
    return _("The package holds content that fieldapp does not write; nothing of it was "
             "imported (it was damaged or made by hand).")


def refused_lines(report, shown: int = 3) -> list[str]:
    """The changes of a package left out because their author was not allowed to make them
    (the first ``shown``, with why; the rest counted)."""
    if not report.refused:
        return []
    lines = [ngettext("{count} change was left out:", "{count} changes were left out:",
                      len(report.refused)).format(count=format_number(len(report.refused)))]
    lines += [_("{what}: {why}").format(what=what, why=why)
              for what, why in report.refused[:shown]]
    if len(report.refused) > shown:
        lines.append(_("and {count} more (see the import history).").format(
            count=format_number(len(report.refused) - shown)))
    return lines
