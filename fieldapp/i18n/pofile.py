"""Label-pack .po files: strict reading and byte-stable writing with babel.

Babel/CLDR has no locale data for tyz, nut, ium or mji, so catalogs are read with babel's
PoFileParser into a Catalog subclass that keeps every header (babel alone drops X- headers and
Plural-Forms for unknown locales) and always writes ``Plural-Forms: nplurals=1; plural=0;``.
Every text read is NFC.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, PoFileParser, write_po

from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc

PLURAL_FORMS = "nplurals=1; plural=0;"


class PackFormatError(ValueError):
    """A .po file that cannot be read as a pack; the message is for the user."""


class PackBabelCatalog(Catalog):
    """babel Catalog that keeps every header it read and writes the pack headers.

    babel drops X- headers and, for locales it does not know (tyz, nut, ium), Plural-Forms.
    """

    def __init__(self, *args, **kwargs):
        self.raw_headers: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    def _set_pack_headers(self, headers):
        headers = list(headers)
        for name, value in headers:
            self.raw_headers[str(name)] = str(value)
        Catalog._set_mime_headers(self, headers)

    def _get_pack_headers(self):
        raw = {k.lower(): v for k, v in self.raw_headers.items()}
        standard = Catalog._get_mime_headers(self)
        wanted = {"project-id-version", "report-msgid-bugs-to", "pot-creation-date",
                  "po-revision-date", "last-translator", "language-team"}
        headers = [(k, raw.get(k.lower(), v)) for k, v in standard if k.lower() in wanted]
        language = self.raw_headers.get("Language") or raw.get("language") or \
            (str(self.locale_identifier) if self.locale_identifier else "")
        headers += [
            ("Language", language),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
            ("Plural-Forms", PLURAL_FORMS),
        ]
        headers += [(k, v) for k, v in self.raw_headers.items() if k.lower().startswith("x-")]
        return headers

    mime_headers = property(_get_pack_headers, _set_pack_headers)

    def set_header(self, name: str, value: str) -> None:
        """Set a header (X- headers included) so it is written out; it keeps its place."""
        existing = next((k for k in self.raw_headers if k.lower() == name.lower()), name)
        self.raw_headers[existing] = value
        Catalog._set_mime_headers(self, [(name, value)])

    def header(self, name: str, default: str = "") -> str:
        for key, value in self.raw_headers.items():
            if key.lower() == name.lower():
                return value
        return default


def parse_po(data: bytes, label: str = "") -> PackBabelCatalog:
    """Parse .po bytes strictly (UTF-8, no syntax errors); all text NFC. Raises PackFormatError."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackFormatError(_("{file} is not a UTF-8 file (byte {offset}). Save it as UTF-8 "
                                "and try again.").format(file=label, offset=exc.start)) from None
    charset = re.search(rb'^"Content-Type:[^"]*charset=([A-Za-z0-9_.-]+)', data, re.MULTILINE)
    if charset and charset.group(1).decode("ascii").lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise PackFormatError(_("{file} declares the character set {charset}; label packs must "
                                "be UTF-8.").format(file=label, charset=charset.group(1).decode()))
    previous_ids = _check_syntax(data.decode("utf-8"), label)
    catalog = PackBabelCatalog(charset="utf-8")
    parser = PoFileParser(catalog, ignore_obsolete=False, abort_invalid=True)
    try:
        parser.parse(io.BytesIO(data))
    except PoFileError as exc:
        raise PackFormatError(_("{file} is not a valid .po file: {error}").format(
            file=label, error=exc)) from None
    except Exception as exc:  # babel raises assorted errors on garbage; keep it one message
        raise PackFormatError(_("{file} is not a valid .po file: {error}").format(
            file=label, error=exc)) from None
    for message in list(catalog) + list(catalog.obsolete.values()):
        if not message.id:
            continue
        message.string = nfc(message.string)
        # babel reads "#| msgid" (previous text) lines as user comments; they are kept as
        # previous_id instead (see _check_syntax).
        message.user_comments = [nfc(c) for c in message.user_comments if not c.startswith("|")]
        message.auto_comments = [nfc(c) for c in message.auto_comments]
    for message in catalog:
        if message.id and message.context in previous_ids and not message.previous_id:
            message.previous_id = [nfc(previous_ids[message.context])]
    if nfc(catalog.header_comment) != catalog.header_comment:
        catalog.header_comment = nfc(catalog.header_comment)
    _renormalise_ids(catalog)
    return catalog


_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s*(' + _STRING + r')\s*$')
_CONTINUATION = re.compile(r'^(' + _STRING + r')\s*$')
_PREVIOUS = re.compile(r'^#\|\s*(msgctxt|msgid|msgid_plural)?\s*(' + _STRING + r')\s*$')


def _check_syntax(text: str, label: str) -> dict[str, str]:
    """Line-level .po syntax check (babel's parser silently skips some broken lines).

    Returns {msgctxt: previous msgid} from ``#| msgid`` lines, which babel does not read.
    """
    from babel.messages.pofile import unescape

    previous: dict[str, str] = {}
    pending_previous: list[str] = []
    previous_keyword = None
    last_keyword = None
    context_parts: list[str] = []
    contexts: set[str] = set()

    def finish_context():
        if context_parts:
            ctxt = "".join(context_parts)
            if ctxt in contexts:
                raise PackFormatError(_("{file} is not a valid .po file: the key {key} occurs "
                                        "twice").format(file=label, key=ctxt))
            contexts.add(ctxt)
            context_parts.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _PREVIOUS.match(line)
            if match:
                if match.group(1):
                    previous_keyword = match.group(1)
                if previous_keyword == "msgid":
                    pending_previous.append(unescape(match.group(2)))
            continue
        match = _KEYWORD_LINE.match(line)
        if match:
            keyword = match.group(1)
            if keyword == "msgctxt":
                finish_context()
                context_parts.append(unescape(match.group(2)))
            elif keyword == "msgid" and last_keyword == "msgctxt":
                ctxt = "".join(context_parts)
                if pending_previous:
                    previous[nfc(ctxt)] = "".join(pending_previous)
                finish_context()
                pending_previous = []
                previous_keyword = None
            elif keyword == "msgid":
                pending_previous = []
                previous_keyword = None
            last_keyword = keyword
            continue
        match = _CONTINUATION.match(line)
        if match and last_keyword is not None:
            if last_keyword == "msgctxt":
                context_parts.append(unescape(match.group(1)))
            continue
        raise PackFormatError(_("{file} is not a valid .po file: line {line} cannot be read: "
                                "{text}").format(file=label, line=number, text=line[:60]))
    finish_context()
    return previous


def _renormalise_ids(catalog: Catalog) -> None:
    """Re-key messages whose msgid/msgctxt were not NFC (typed on a decomposing keyboard)."""
    bad = [m for m in catalog if m.id and (nfc(m.id) != m.id or nfc(m.context) != m.context)]
    for message in bad:
        catalog.delete(message.id, context=message.context)
        catalog.add(nfc(message.id), message.string, locations=message.locations,
                    flags=message.flags, auto_comments=message.auto_comments,
                    user_comments=message.user_comments, previous_id=message.previous_id,
                    context=nfc(message.context))


def read_po_file(path: Path) -> PackBabelCatalog:
    return parse_po(Path(path).read_bytes(), Path(path).name)


def po_bytes(catalog: Catalog) -> bytes:
    """Serialise a pack catalog (babel's write_po; obsolete entries kept, no line wrapping)."""
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=False, include_previous=True,
             ignore_obsolete=False)
    return _join_previous(out.getvalue())


def _join_previous(data: bytes) -> bytes:
    """Undo babel's wrapping of ``#| msgid "..."`` lines: babel wraps comments at 76 columns
    whatever the width, and a wrapped previous msgid continues without its quote, which
    msgfmt refuses. The piece is put back on its line (it was split at a space)."""
    lines = data.split(b"\n")
    out: list[bytes] = []
    for line in lines:
        if (line.startswith(b"#| ") and out and out[-1].startswith(b"#| ")
                and not line[3:].startswith((b"msgid", b"msgctxt", b'"'))):
            out[-1] = out[-1] + b" " + line[3:]
        else:
            out.append(line)
    return b"\n".join(out)


def write_po_atomic(catalog: Catalog, path: Path) -> None:
    """Write ``catalog`` to ``path`` through a temporary file and an atomic rename."""
    data = po_bytes(catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

