"""A text file a user picks (a report's narrative, an indicator file), read one way everywhere.

Notepad on Windows saves UTF-8 with a byte-order mark, "Unicode" (UTF-16 with its mark) and
CRLF line ends; a file of another kind (a PDF, a zip, a Word file) renamed ``.txt`` may still
decode as UTF-8 when it is mostly ASCII, but holds NUL bytes no text file has. So: both marks
are honoured, line ends become ``\\n``, a NUL byte or bytes that are not UTF-8 are refused with
the byte's position, and the text is NFC (the Windows Vietnamese keyboard types NFD).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from fieldapp.errors import UserError, os_reason, unreadable
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc

MAX_TEXT_BYTES = 4 * 1024 * 1024
"""A text file a person wrote is far smaller; more is another kind of file."""


def decode_text(data: bytes, name: str) -> str:
    """The text of a text file's ``data`` (``name`` is said in a refusal)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise UserError(_("{file} is not a text file that can be read (damaged UTF-16).")
                            .format(file=name)) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(_("{file} is not a UTF-8 text file (byte {position}). Save it as "
                              "UTF-8 text and try again.").format(
                file=name, position=exc.start)) from None
    if "\0" in text:
        raise UserError(_("{file} is not a text file (it holds NUL bytes, as a document or an "
                          "archive does).").format(file=name))
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def read_text_file(path: Path, *, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The text of the file at ``path``; UserError (one line) when it cannot be read as text."""
    path = Path(path)
    problem = unreadable(path)
    if problem is not None:
        raise problem
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise UserError(_("Cannot read {file}: {reason}.").format(
            file=path, reason=os_reason(exc))) from None
    if len(data) > max_bytes:
        raise UserError(_("{file} is too large to be a text file written by hand.").format(
            file=path))
    return decode_text(data, str(path))
