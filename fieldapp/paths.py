"""The one resource locator: forms/, i18n/ and assets/ in a checkout, a wheel or a PyInstaller bundle,
and the user's data folder (platformdirs, overridable by FIELDAPP_HOME).

Nothing else in fieldapp computes these paths.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

APP_NAME = "fieldapp"
RESOURCE_DIRS = ("forms", "i18n", "assets")


@cache
def resource_root() -> Path:
    """Folder holding forms/, i18n/ and assets/.

    Checked in order: a PyInstaller bundle (``sys._MEIPASS``), the source checkout (the parent of
    the package), and the ``share/fieldapp`` folder a wheel installs into ``sys.prefix``.
    """
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle))
    candidates.append(Path(__file__).resolve().parent.parent)
    candidates.append(Path(sys.prefix) / "share" / APP_NAME)
    for root in candidates:
        if (root / "forms").is_dir() and (root / "assets").is_dir():
            return root
    raise FileNotFoundError(
        "fieldapp resources (forms/, i18n/, assets/) not found in: "
        + ", ".join(str(c) for c in candidates)
    )


def forms_dir() -> Path:
    return resource_root() / "forms"


def i18n_dir() -> Path:
    return resource_root() / "i18n"


def assets_dir() -> Path:
    return resource_root() / "assets"


def fonts_dir() -> Path:
    return assets_dir() / "fonts"


def data_dir() -> Path:
    """The user's data folder: $FIELDAPP_HOME if set, else the platform's user data folder."""
    home = os.environ.get("FIELDAPP_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs  # not needed when the database is named (--db): off the start-up path

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "fieldapp.db"


def demo_db_path() -> Path:
    """The demo commune ``fieldapp --demo`` (and the setup dialog) create and open."""
    return data_dir() / "demo.db"


def commune_forms_dir() -> Path:
    """Forms a commune adds itself, loaded beside the shipped ones."""
    return data_dir() / "forms"


def compiled_catalogs_dir() -> Path:
    """Where compiled .mo files go when the resource folder is read-only (installed app)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "locale"
