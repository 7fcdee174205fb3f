"""The one resource locator: forms/, i18n/ and assets/ in a checkout, a wheel or a PyInstaller bundle,
and the user's data folder (platformdirs, overridable by FIELDAPP_HOME).

Nothing else in fieldapp computes these paths; what differs between operating systems (and
whether the app runs from a bundle) is asked of :mod:`fieldapp.host`.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from fieldapp import host

APP_NAME = host.APP_NAME
RESOURCE_DIRS = ("forms", "i18n", "assets")


class MissingFiles(host.HostError):
    """The installed app lacks some of its own files (a damaged or half-copied install)."""

    def __init__(self, where: Path, missing: str = "forms/, i18n/, assets/"):
        from fieldapp.i18n.catalog import _

        super().__init__(_("fieldapp is missing some of its own files ({missing} in {folder}): "
                           "install it again.").format(missing=missing, folder=where))


def missing_in_bundle(exc: BaseException) -> MissingFiles | None:
    """The message for an error that means the built app lacks one of its own files (a
    module, a library, a resource), else None (from source, or another error)."""
    bundle = host.bundle_dir()
    if bundle is None:
        return None
    if isinstance(exc, ImportError):
        return MissingFiles(bundle.parent, exc.name or str(exc))
    filename = getattr(exc, "filename", None)
    if isinstance(exc, FileNotFoundError) and filename and str(filename).startswith(str(bundle)):
        return MissingFiles(bundle.parent, str(filename))
    return None


@cache
def resource_root() -> Path:
    """Folder holding forms/, i18n/ and assets/.

    Checked in order: a PyInstaller bundle (``sys._MEIPASS``), the source checkout (the parent of
    the package), and the ``share/fieldapp`` folder a wheel installs into ``sys.prefix``.
    """
    candidates = []
    bundle = host.bundle_dir()
    if bundle:
        candidates.append(bundle)
    candidates.append(Path(__file__).resolve().parent.parent)
    candidates.append(Path(sys.prefix) / "share" / APP_NAME)
    for root in candidates:
        if (root / "forms").is_dir() and (root / "assets").is_dir():
            return root
    raise MissingFiles(candidates[0])


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
    return host.host().user_data_dir()


def default_db_path() -> Path:
    return data_dir() / "fieldapp.db"


def demo_db_path() -> Path:
    """The demo commune ``fieldapp --demo`` (and the setup dialog) create and open."""
    return data_dir() / "demo.db"


def commune_forms_dir() -> Path:
    """Forms a commune adds itself, loaded beside the shipped ones."""
    return data_dir() / "forms"


def compiled_catalogs_dir() -> Path:
    """Where compiled .mo files go when the resource folder is not a source checkout (an
    installed app ships them compiled; nothing is ever written into it)."""
    return host.host().user_cache_dir() / "locale"


def in_checkout() -> bool:
    """True when the resources are the source checkout's (which may hold build products)."""
    return host.bundle_dir() is None and resource_root() == Path(__file__).resolve().parent.parent
