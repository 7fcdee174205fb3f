"""Label pack entries as synced records: the rules every laptop applies to one.

A pack entry (kind ``pack_entries``, fieldapp.core.kinds) is one text of one form in one pack
("tyz", "ium@dao-vn"), keyed like the pack's .po file (``form:path:column``): its translation,
its status (draft, or reviewed, by whom and when), a translator's comment (where the words come
from) and optionally a recorded prompt. Its id is derived from (pack, key), so two translators
who edit the same text on two laptops edit one record: the newer text is shown everywhere and
the two stay side by side as a conflict until a translator or commune staff picks one.

Who owns an entry: nobody in particular. Entries are shared by every commune of a province
(:attr:`fieldapp.core.kinds.Scope.SHARED`): a translator's edit travels member -> commune ->
province -> every other commune -> their laptops, each laptop checking it (fieldapp.storage.
authority): a laptop of its own commune against the commune's register (the author must be
marked translator at the change's stamp, or be commune staff), one of another commune on the
word of the hub that relays it (the province checked it against that commune's register; a
hub answers for what it relays with its own authority, which includes writing entries).
Whatever arrives is checked by :func:`problem_of` before it is taken.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from fieldapp.i18n.catalog import _

ENTRY_NAMESPACE = uuid.UUID("0b8f4d7e-3c41-4f9a-8d22-6a1e5c7b9f30")
DRAFT, REVIEWED = "draft", "reviewed"
STATUSES = (DRAFT, REVIEWED)
MISSING = "missing"
"""Not a stored status: a text with no entry (or an empty one) is missing."""
MAX_ENTRY_CHARS = 2000
ENTRY_RATIO = 6
"""A translation is at most max(MAX_ENTRY_CHARS, ENTRY_RATIO x its Vietnamese text) long."""
MAX_COMMENT_CHARS = 2000
MAX_PROMPT_BYTES = 96 * 1024
"""A stored prompt (Ogg Opus): 30 s at ~14 kbit/s, with room for Opus's variable rate."""
MAX_PROMPT_MS = 31_000

_REF_RE = re.compile(r"\$\{[^}]*\}")
_TAG_RE = re.compile(r"</?\s*[A-Za-z][^<>]*>")
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def entry_id(pack: str, key: str) -> str:
    """The one record of (pack code, key), the same on every laptop."""
    return str(uuid.uuid5(ENTRY_NAMESPACE, f"{pack}\n{key}"))


def looks_like_prompt(data: object) -> bool:
    """Whether a value can be a stored prompt: Ogg, within the size budget (checked before
    anything decodes what another laptop sent)."""
    return isinstance(data, (bytes, bytearray, memoryview)) and 0 < len(data) <= \
        MAX_PROMPT_BYTES and bytes(data[:4]) == b"OggS"


def text_problem(text: str, source: str) -> str | None:
    """Why ``text`` cannot translate ``source`` (one sentence), or None: far too long, a
    control or direction character, markup the Vietnamese text does not have, ${references}
    that differ from the Vietnamese."""
    if not text:
        return None
    if len(text) > max(MAX_ENTRY_CHARS, ENTRY_RATIO * len(source or "")):
        return _("The translation is {length} characters long, far longer than the Vietnamese "
                 "text.").format(length=len(text))
    for ch in text:
        if (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in _BIDI:
            return _("The translation holds an invisible control character (U+{code:04X}); "
                     "retype it.").format(code=ord(ch))
    tags = sorted(_TAG_RE.findall(text))
    if tags and tags != sorted(_TAG_RE.findall(source or "")):
        return _("The translation holds markup ({tag}) that the Vietnamese text does not "
                 "have.").format(tag=tags[0][:40])
    if sorted(_REF_RE.findall(text)) != sorted(_REF_RE.findall(source or "")):
        refs = " ".join(sorted(_REF_RE.findall(source or ""))) or _("no ${...} references")
        return _("The translation must keep {refs} exactly.").format(refs=refs)
    return None


def problem_of(values: Mapping[str, Any]) -> str | None:
    """Why a pack entry with these values is never taken from another laptop, or None."""
    status = values.get("status")
    if status not in (None, "", *STATUSES):
        return _("A label pack entry has an unknown status.")
    for name in ("pack", "key", "source", "text", "comment", "reviewer", "reviewer_commune"):
        value = values.get(name)
        if value is not None and not isinstance(value, str):
            return _("A label pack entry has a value of the wrong type.")
    if len(values.get("key") or "") > 400 or len(values.get("pack") or "") > 40:
        return _("A label pack entry has a key that is too long.")
    if len(values.get("source") or "") > 20 * MAX_ENTRY_CHARS:
        return _("A label pack entry's Vietnamese text is too long.")
    problem = text_problem(values.get("text") or "", values.get("source") or "")
    if problem:
        return problem
    if len(values.get("comment") or "") > MAX_COMMENT_CHARS:
        return _("A label pack entry's comment is too long.")
    audio = values.get("audio")
    if audio is not None and not looks_like_prompt(audio):
        return _("A label pack entry's recording is not an Ogg sound within {size} KB.").format(
            size=MAX_PROMPT_BYTES // 1024)
    ms = values.get("audio_ms")
    if ms is not None and (not isinstance(ms, int) or not 0 <= ms <= MAX_PROMPT_MS):
        return _("A label pack entry's recording is longer than a prompt may be.")
    return None


def status_of(row: Mapping[str, Any] | None) -> str:
    """MISSING, DRAFT or REVIEWED for a stored entry (None: no entry)."""
    if not row or row.get("deleted") or not (row.get("text") or ""):
        return MISSING
    return REVIEWED if row.get("status") == REVIEWED else DRAFT
