"""Reading printed documents back in tests: their text (pypdf), their fonts, and rows of a
database file read with plain sqlite3 (independently of the app's code)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

from pypdf import PdfReader


def text_of(path: Path) -> str:
    reader = PdfReader(io.BytesIO(Path(path).read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Text without line breaks (a table cell may wrap a long number or name)."""
    return " ".join(text.split())


def rows(path, sql, params=()):
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def fonts_of(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) of every font used on every page."""
    reader = PdfReader(str(path))
    found = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found
