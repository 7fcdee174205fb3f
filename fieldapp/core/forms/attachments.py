"""Files answering image, audio, video and file questions: what is accepted, and its name.

The answer of such a question is the file's name (as ODK Collect stores it); the bytes travel
beside the answers as an :class:`Attachment` and are saved with the submission. A file is
refused beside its question when it is empty, larger than :data:`MAX_ATTACHMENT_BYTES`, or not
of the question's kind (an image question takes JPEG, PNG, GIF, BMP, WebP or HEIC pictures,
checked by their first bytes; audio and video by their file type).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass

from fieldapp.core.xpath.errors import Message
from fieldapp.i18n.catalog import N_
from fieldapp.i18n.text import nfc

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""10 MB a file: a phone photo is 2-5 MB, a minute of voice 1 MB; a package stays small
enough for a USB stick or a Zalo message. Longer videos must be shortened."""

_IMAGE_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
                (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"BM", "image/bmp"))
_AUDIO = {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/aac", ".ogg": "audio/ogg",
          ".oga": "audio/ogg", ".opus": "audio/opus", ".wav": "audio/wav", ".amr": "audio/amr",
          ".3gp": "audio/3gpp", ".flac": "audio/flac", ".webm": "audio/webm"}
_VIDEO = {".mp4": "video/mp4", ".m4v": "video/mp4", ".3gp": "video/3gpp", ".webm": "video/webm",
          ".mov": "video/quicktime", ".avi": "video/x-msvideo", ".mkv": "video/x-matroska",
          ".mpg": "video/mpeg", ".mpeg": "video/mpeg"}
_IMAGE_SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
                 "image/bmp": ".bmp", "image/webp": ".webp", "image/heic": ".heic"}
ACCEPTED_SUFFIXES = {
    "image": (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".heic"),
    "audio": tuple(_AUDIO), "video": tuple(_VIDEO), "file": (),
}
"""File types offered when choosing a file (``()``: any type)."""


@dataclass(frozen=True)
class Attachment:
    """A file answering a question: stored ``filename`` (the answer), type and bytes."""

    filename: str
    media_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


class AttachmentProblem(ValueError):
    """A file a question cannot take; ``message`` says why (translated when shown)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _image_type(content: bytes) -> str | None:
    for magic, media_type in _IMAGE_MAGIC:
        if content.startswith(magic):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"mif1", b"heif"):
        return "image/heic"
    return None


def check_size(size: int) -> None:
    """Refuse a file by its size alone (before reading it); raises AttachmentProblem."""
    if size == 0:
        raise AttachmentProblem(Message(N_("The file is empty.")))
    if size > MAX_ATTACHMENT_BYTES:
        raise AttachmentProblem(Message(
            N_("The file is too large ({size} MB); at most {limit} MB can be attached."),
            size=f"{size / 1024 / 1024:.1f}", limit=MAX_ATTACHMENT_BYTES // 1024 // 1024))


def make_attachment(kind: str, original_name: str, content: bytes) -> Attachment:
    """The attachment of ``content`` (a file called ``original_name``) for a question of
    ``kind`` (image, audio, video, file); raises AttachmentProblem."""
    check_size(len(content))
    stem, suffix = os.path.splitext(os.path.basename(nfc(original_name)))
    suffix = suffix.lower()
    if kind == "image":
        media_type = _image_type(content)
        if media_type is None:
            raise AttachmentProblem(Message(
                N_("This is not a picture: choose a JPEG, PNG, GIF, BMP, WebP or HEIC file.")))
        suffix = suffix if suffix in ACCEPTED_SUFFIXES["image"] else _IMAGE_SUFFIX[media_type]
    elif kind in ("audio", "video"):
        table = _AUDIO if kind == "audio" else _VIDEO
        if suffix not in table:
            raise AttachmentProblem(Message(
                N_("This question takes {kind} files ({suffixes}), not '{suffix}'."),
                kind=Message(N_("sound")) if kind == "audio" else Message(N_("video")),
                suffixes=", ".join(table), suffix=suffix or original_name))
        media_type = table[suffix]
    else:
        media_type = "application/octet-stream"
    digest = hashlib.sha256(content).hexdigest()[:10]
    clean = re.sub(r"[^\w\-]+", "_", stem).strip("_")[:40] or kind
    return Attachment(f"{clean}-{digest}{suffix}", media_type, content)
