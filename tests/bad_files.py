"""Bad files for the tables of bad input (the command line's, the screens' file dialogs')."""

from __future__ import annotations

import zipfile
from pathlib import Path

LONG = "đ" * 130  # 260 bytes in UTF-8: over the 255 a file name may have


def bad_file(kind: str, folder: Path, suffix: str) -> Path:
    """A file (or what stands where one is expected) of the kind named."""
    path = folder / f"input{suffix}"
    if kind == "missing":
        return folder / f"nope{suffix}"
    if kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(bytes(range(256)) * 16)
    elif kind == "pdf":
        path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    elif kind == "empty zip":
        with zipfile.ZipFile(path, "w"):
            pass
    elif kind == "long name":
        return folder / f"{LONG}{suffix}"
    elif kind == "link to itself":
        path.symlink_to(path)
    else:
        raise ValueError(kind)
    return path
