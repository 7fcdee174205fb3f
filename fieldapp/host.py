"""Everything that differs between Windows, Linux and macOS, in one place (plain Python, no Qt).

- whether the app runs from a built bundle (PyInstaller) and where that bundle is;
- the user's data and cache folders (never inside the installed app, which may be read-only
  and is replaced by an upgrade);
- making a file private to this account (POSIX mode 0600; on Windows an ACL for the user
  alone, set with icacls, where the folder does not already make it private);
- opening a PDF in the system's viewer and printing it, with :class:`NoViewer` and
  :class:`NoPrinter` when the computer has none (the caller can then show the file another way).

:class:`Host` holds the operating system's name and the ways it calls out (programs, the
Windows shell), so tests run the Windows behaviour on Linux with fakes in their place.
"""

from __future__ import annotations

import ntpath
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from fieldapp.errors import UserError

APP_NAME = "fieldapp"
PRIVATE = 0o600
"""POSIX mode of the database, its keyring, journal files and backups: this account only."""
VIEWER_GRACE = 3.0
"""Seconds a viewer launcher (xdg-open, open) gets to say it found no program; after that it
is taken as showing the file."""


class HostError(UserError):
    """The computer lacks something the action needs; the message says what, for the user."""


class NoViewer(HostError):
    """No program on this computer opens the file."""


class NoPrinter(HostError):
    """This computer has no printer, or no program that prints the file."""


class DiskFull(HostError):
    """The disk (or the account's quota) has no space left for what was being written."""


def no_printer() -> NoPrinter:
    """The error for a computer without a printer, in the user's words."""
    from fieldapp.i18n.catalog import _

    return NoPrinter(_("This computer has no printer set up: add one in the system's "
                       "settings, or save the file and print it elsewhere."))


def disk_full(exc: BaseException) -> DiskFull | None:
    """The message for an error that means the disk is full (an OSError, or SQLite's
    "database or disk is full"), else None. SQLite rolls the transaction back, so what was
    stored before stays as it was."""
    import errno

    if getattr(exc, "errno", None) == errno.ENOSPC or "disk is full" in str(exc).lower():
        from fieldapp.i18n.catalog import _

        return DiskFull(_("The disk is full: free some space on it, then try again. What was "
                          "being written was not saved; what was saved before is unchanged."))
    return None


def bundle_dir() -> Path | None:
    """The folder of a built app's files (PyInstaller's ``sys._MEIPASS``); None from source.

    The one "am I frozen?" check of the code base.
    """
    bundle = getattr(sys, "_MEIPASS", None) if getattr(sys, "frozen", False) else None
    return Path(bundle) if bundle else None


def _no_window() -> int:
    return getattr(subprocess, "CREATE_NO_WINDOW", 0)


class Host:
    """The operating system's ways, for ``system`` "nt", "posix" (Linux) or "darwin"."""

    def __init__(self, system: str | None = None, *, environ: dict[str, str] | None = None,
                 which: Callable[[str], str | None] = shutil.which,
                 run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
                 spawn: Callable[..., subprocess.Popen] = subprocess.Popen,
                 startfile: Callable[..., None] | None = None,
                 printers: Callable[[], int | None] | None = None):
        self.system = system or ("darwin" if sys.platform == "darwin" else os.name)
        self.environ = os.environ if environ is None else environ
        self.which = which
        self.run = run
        self.spawn = spawn
        self.startfile = startfile or getattr(os, "startfile", None)
        self.printers = printers or _windows_printer_count

    @property
    def windows(self) -> bool:
        return self.system == "nt"

    # -- folders ----------------------------------------------------------------------------
    def user_data_dir(self) -> Path:
        """$FIELDAPP_HOME if set, else the platform's user data folder: %LOCALAPPDATA%\\fieldapp
        on Windows (not roaming: a database does not belong on a network profile; and not the
        install folder, %LOCALAPPDATA%\\Programs\\fieldapp, which an upgrade replaces),
        ~/.local/share/fieldapp on Linux, ~/Library/Application Support/fieldapp on macOS."""
        home = self.environ.get("FIELDAPP_HOME")
        if home:
            return Path(home).expanduser()
        if self.windows and self.environ.get("LOCALAPPDATA"):
            return Path(ntpath.join(self.environ["LOCALAPPDATA"], APP_NAME))
        return Path(self._dirs().user_data_dir)

    def user_cache_dir(self) -> Path:
        """Files the app can make again (compiled catalogs when none were shipped)."""
        if self.windows and self.environ.get("LOCALAPPDATA"):
            return Path(ntpath.join(self.environ["LOCALAPPDATA"], APP_NAME, "Cache"))
        return Path(self._dirs().user_cache_dir)

    def _dirs(self):
        # platformdirs is imported only when a folder is asked for (off the start-up path
        # when the database is named).
        import platformdirs

        return platformdirs.PlatformDirs(APP_NAME, appauthor=False, roaming=False)

    def has_display(self) -> bool:
        """Whether windows can be shown (Linux without X11 or Wayland: no)."""
        if self.windows or self.system == "darwin":
            return True
        return bool(self.environ.get("DISPLAY") or self.environ.get("WAYLAND_DISPLAY"))

    def removable_root(self, root: str) -> bool:
        """Whether a mounted volume's root is one a package can be written to straight away:
        a USB stick or memory card (under /media, /run/media or /mnt; on Windows any drive
        but the system's)."""
        if self.windows:
            system = self.environ.get("SystemDrive", "C:").upper()
            return not root.upper().startswith(system)
        return root.startswith(("/media/", "/run/media/", "/mnt/", "/Volumes/"))

    # -- private files ----------------------------------------------------------------------
    def make_private(self, path: Path) -> bool:
        """Make ``path`` readable and writable by this account only; True when it is.

        POSIX: mode 0600. Windows: files under the user's profile (%USERPROFILE%, where the data
        folder is) are private by the profile's own ACL; elsewhere (a shared folder chosen with
        --db) inherited permissions are removed and the user alone gets full control (icacls).
        A file system without permissions (FAT32 on a USB stick) cannot be made private:
        False, and the file is left as it is.
        """
        path = Path(path)
        if self.windows:
            return self._windows_private(path)
        try:
            if stat.S_IMODE(path.stat().st_mode) != PRIVATE:
                path.chmod(PRIVATE)
            return True
        except OSError:
            return False

    def _windows_private(self, path: Path) -> bool:
        profile = self.environ.get("USERPROFILE")
        if profile and _inside_windows_folder(path, profile):
            return True
        user = self.environ.get("USERNAME")
        icacls = self.which("icacls")
        if not user or not icacls:
            return False
        domain = self.environ.get("USERDOMAIN")
        account = f"{domain}\\{user}" if domain else user
        try:
            done = self.run([icacls, str(path), "/inheritance:r", "/grant:r", f"{account}:F"],
                            capture_output=True, creationflags=_no_window(), timeout=30)
        except (OSError, subprocess.SubprocessError):
            return False
        return done.returncode == 0

    # -- PDFs -------------------------------------------------------------------------------
    def open_file(self, path: Path) -> None:
        """Show ``path`` in the program the system opens PDFs with; :class:`NoViewer` when
        there is none."""
        from fieldapp.i18n.catalog import _

        no_viewer = NoViewer(_("This computer has no program that opens PDF files: install a "
                               "PDF reader, or save the file and open it on another computer."))
        path = Path(path)
        if self.windows:
            if self.startfile is None:
                raise no_viewer
            try:
                self.startfile(str(path))
            except OSError as exc:
                raise no_viewer from exc
            return
        launcher = self.which("open" if self.system == "darwin" else "xdg-open")
        if not launcher or not self._launched([launcher, str(path)]):
            raise no_viewer

    def print_file(self, path: Path) -> None:
        """Send ``path`` to the default printer; :class:`NoPrinter` when the computer has no
        printer or no program that prints PDFs."""
        from fieldapp.i18n.catalog import _

        no_printer_ = no_printer()
        path = Path(path)
        if self.windows:
            if self.printers() == 0:
                raise no_printer_
            if self.startfile is None:
                raise no_printer_
            try:
                self.startfile(str(path), "print")
            except OSError as exc:
                raise NoPrinter(_("No program on this computer prints PDF files: install a "
                                  "PDF reader, or open the file and print it from there.")) from exc
            return
        lp = self.which("lp") or self.which("lpr")
        if not lp:
            raise no_printer_
        try:
            done = self.run([lp, str(path)], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            raise no_printer_ from exc
        if done.returncode != 0:
            raise no_printer_

    def _launched(self, command: list[str]) -> bool:
        """Start a viewer launcher; False when it fails at once (no program for the file)."""
        try:
            process = self.spawn(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        except OSError:
            return False
        try:
            return process.wait(timeout=VIEWER_GRACE) == 0
        except subprocess.TimeoutExpired:
            return True  # still running: the viewer is showing the file


def _inside_windows_folder(path: Path, folder: str) -> bool:
    """Whether ``path`` is in ``folder``, compared as Windows does (case-insensitive)."""
    inner = ntpath.normcase(ntpath.abspath(str(path)))
    outer = ntpath.normcase(ntpath.abspath(folder)).rstrip("\\")
    return inner.startswith(outer + "\\")


def _windows_printer_count() -> int | None:
    """Printers Windows knows (local and network connections); None when it cannot tell."""
    try:
        import ctypes
        from ctypes import wintypes

        winspool = ctypes.WinDLL("winspool.drv")  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        return None
    needed, returned = wintypes.DWORD(0), wintypes.DWORD(0)
    local_and_connections = 0x2 | 0x4  # PRINTER_ENUM_LOCAL | PRINTER_ENUM_CONNECTIONS
    winspool.EnumPrintersW(local_and_connections, None, 4, None, 0, ctypes.byref(needed),
                           ctypes.byref(returned))
    return 0 if needed.value == 0 else None


_host: Host | None = None


def host() -> Host:
    """This computer."""
    global _host
    if _host is None:
        _host = Host()
    return _host


def make_private(path: Path) -> bool:
    return host().make_private(path)


def open_file(path: Path) -> None:
    host().open_file(path)


def print_file(path: Path) -> None:
    host().print_file(path)
