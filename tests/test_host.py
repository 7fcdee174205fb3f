"""fieldapp.host: folders, private files, opening and printing PDFs; Linux for real (programs
in a PATH of our own), Windows simulated with fakes of the shell and of icacls."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fieldapp import host, paths
from fieldapp.i18n import catalog

WINDOWS_ENV = {"LOCALAPPDATA": r"C:\Users\an\AppData\Local", "USERPROFILE": r"C:\Users\an",
               "USERNAME": "an", "USERDOMAIN": "XA-PC", "SystemDrive": "C:"}


@pytest.fixture(autouse=True)
def vietnamese():
    catalog.set_language("vi")
    yield
    catalog.set_language("vi")


def fake_programs(tmp_path: Path, **scripts: str) -> Path:
    """A folder of shell scripts named after the programs (``lp``, ``xdg-open``)."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name, body in scripts.items():
        script = folder / name.replace("_", "-")
        script.write_text("#!/bin/sh\n" + body + "\n")
        script.chmod(0o755)
    return folder


def linux(folder: Path | None, **kwargs) -> host.Host:
    """This Linux machine, seeing only the programs in ``folder``."""
    import shutil

    return host.Host("posix", which=lambda name: shutil.which(name, path=str(folder or "")),
                     **kwargs)


class FakeShell:
    """os.startfile and icacls of a Windows PC: what was asked, and what fails."""

    def __init__(self, fail: set[str] = frozenset(), printers: int | None = 1):
        self.calls: list[tuple] = []
        self.fail = fail
        self.printer_count = printers

    def startfile(self, path, operation="open"):
        self.calls.append(("startfile", path, operation))
        if operation in self.fail:
            raise OSError(1155, "No application is associated with the specified file")

    def run(self, command, **kwargs):
        self.calls.append(("run", *command))
        return subprocess.CompletedProcess(command, 5 if "icacls" in self.fail else 0)

    def host(self) -> host.Host:
        return host.Host("nt", environ=dict(WINDOWS_ENV), startfile=self.startfile,
                         run=self.run, which=lambda name: rf"C:\Windows\System32\{name}.exe",
                         printers=lambda: self.printer_count)


# -- folders --------------------------------------------------------------------------------

def test_windows_data_folder_is_local_appdata_and_not_the_install_folder():
    windows = FakeShell().host()
    assert str(windows.user_data_dir()) == r"C:\Users\an\AppData\Local\fieldapp"
    assert str(windows.user_cache_dir()) == r"C:\Users\an\AppData\Local\fieldapp\Cache"
    # installer/fieldapp.iss installs into {localappdata}\Programs\fieldapp: another folder,
    # so replacing the app never touches the data.
    install = r"C:\Users\an\AppData\Local\Programs\fieldapp"
    assert not install.startswith(str(windows.user_data_dir()) + "\\")


def test_fieldapp_home_overrides_the_data_folder_everywhere(tmp_path):
    for system in ("nt", "posix", "darwin"):
        chosen = host.Host(system, environ={**WINDOWS_ENV, "FIELDAPP_HOME": str(tmp_path)})
        assert chosen.user_data_dir() == tmp_path


def test_linux_data_folder_follows_xdg(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        here = host.Host("posix", environ={})
        assert here.user_data_dir() == tmp_path / "data" / "fieldapp"
        assert here.user_cache_dir() == tmp_path / "cache" / "fieldapp"
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k)
            else:
                os.environ[k] = v


def test_removable_drives_by_system():
    windows = FakeShell().host()
    assert windows.removable_root("E:/") and not windows.removable_root("C:/")
    here = host.Host("posix")
    assert here.removable_root("/media/an/USB") and not here.removable_root("/")


def test_bundle_dir_only_when_frozen(monkeypatch, tmp_path):
    assert host.bundle_dir() is None
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert host.bundle_dir() is None  # a stray attribute is not a bundle
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert host.bundle_dir() == tmp_path


def test_a_bundle_missing_its_files_says_install_again(monkeypatch, tmp_path):
    """The resources are looked for in the bundle first; a bundle without them (and no other
    copy) gives one message in the user's language."""
    bundle = tmp_path / "_internal"
    for name in ("forms", "i18n", "assets"):
        (bundle / name).mkdir(parents=True)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(sys, "frozen", True, raising=False)
            patch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
            paths.resource_root.cache_clear()
            assert paths.resource_root() == bundle
            (bundle / "forms").rmdir()
            paths.resource_root.cache_clear()
            patch.setattr(paths, "__file__", str(tmp_path / "elsewhere" / "fieldapp" / "paths.py"))
            patch.setattr(sys, "prefix", str(tmp_path / "prefix"))
            with pytest.raises(paths.MissingFiles) as raised:
                paths.resource_root()
    finally:
        paths.resource_root.cache_clear()
    assert "cài đặt lại" in str(raised.value) and str(bundle) in str(raised.value)


# -- private files ----------------------------------------------------------------------------

def test_posix_private_is_mode_0600(tmp_path):
    target = tmp_path / "x.db"
    target.write_bytes(b"")
    target.chmod(0o644)
    assert host.Host("posix").make_private(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not host.Host("posix").make_private(tmp_path / "missing")


def test_windows_private_inside_the_profile_needs_nothing():
    shell = FakeShell()
    assert shell.host().make_private(Path(r"C:\Users\an\AppData\Local\fieldapp\fieldapp.db"))
    assert shell.calls == []


def test_windows_private_elsewhere_sets_an_acl_for_the_user_alone():
    shell = FakeShell()
    target = Path(r"D:\shared\commune.db")
    assert shell.host().make_private(target)
    assert shell.calls == [("run", r"C:\Windows\System32\icacls.exe", str(target),
                            "/inheritance:r", "/grant:r", r"XA-PC\an:F")]


def test_windows_private_on_a_stick_without_permissions_is_reported_not_raised():
    shell = FakeShell(fail={"icacls"})
    assert not shell.host().make_private(Path(r"E:\commune.db"))


# -- opening and printing ---------------------------------------------------------------------

def test_windows_open_and_print_use_the_shell_verbs():
    shell = FakeShell()
    pdf = Path(r"C:\Users\an\report.pdf")
    shell.host().open_file(pdf)
    shell.host().print_file(pdf)
    assert shell.calls == [("startfile", str(pdf), "open"), ("startfile", str(pdf), "print")]


def test_windows_without_a_pdf_program_says_so_in_vietnamese():
    shell = FakeShell(fail={"open", "print"})
    with pytest.raises(host.NoViewer) as raised:
        shell.host().open_file(Path("r.pdf"))
    assert "không có chương trình" in str(raised.value).lower()
    with pytest.raises(host.NoPrinter) as raised:
        shell.host().print_file(Path("r.pdf"))
    assert "không có chương trình" in str(raised.value).lower()


def test_windows_without_a_printer_does_not_call_the_print_verb():
    shell = FakeShell(printers=0)
    with pytest.raises(host.NoPrinter) as raised:
        shell.host().print_file(Path("r.pdf"))
    assert shell.calls == []
    assert "máy in" in str(raised.value)


def test_linux_without_xdg_open_or_lp(tmp_path):
    bare = linux(fake_programs(tmp_path))
    with pytest.raises(host.NoViewer):
        bare.open_file(tmp_path / "r.pdf")
    with pytest.raises(host.NoPrinter):
        bare.print_file(tmp_path / "r.pdf")


def test_linux_viewer_that_finds_no_program(tmp_path):
    # xdg-open exits 3 when it finds no program for the file.
    with pytest.raises(host.NoViewer):
        linux(fake_programs(tmp_path, xdg_open="exit 3")).open_file(tmp_path / "r.pdf")


def test_linux_viewer_opens(tmp_path):
    seen = tmp_path / "seen"
    linux(fake_programs(tmp_path, xdg_open=f'echo "$1" > {seen}')).open_file(tmp_path / "r.pdf")
    assert seen.read_text().strip() == str(tmp_path / "r.pdf")


def test_linux_lp_without_a_destination(tmp_path):
    programs = fake_programs(tmp_path, lp='echo "lp: Error - no default destination" >&2; exit 1')
    with pytest.raises(host.NoPrinter) as raised:
        linux(programs).print_file(tmp_path / "r.pdf")
    assert "máy in" in str(raised.value)


def test_linux_lp_prints(tmp_path):
    seen = tmp_path / "printed"
    linux(fake_programs(tmp_path, lp=f'echo "$1" > {seen}')).print_file(tmp_path / "r.pdf")
    assert seen.read_text().strip() == str(tmp_path / "r.pdf")
