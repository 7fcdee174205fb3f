"""``fieldapp --db PATH --screenshot DIR`` renders every main screen and exits 0."""

import pytest
from PySide6.QtGui import QImage

from fieldapp import cli
from fieldapp.storage.store import Store


@pytest.fixture(autouse=True)
def _undo_start_up(qapp):
    """run() installs the Qt translator on the shared QApplication, as at a real start."""
    yield
    from fieldapp.ui.i18n_qt import uninstall_qt_translator

    uninstall_qt_translator(qapp)


def _size(path):
    image = QImage(str(path))
    return image.width(), image.height()


def test_screenshots_of_a_set_up_commune(commune, tmp_path, qapp, capsys):
    db = commune.path
    commune.close()
    out = tmp_path / "shots"
    assert cli.main(["--db", str(db), "--screenshot", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "audit.png", "home.png", "households.png", "reports.png", "sessions.png",
        "settings.png", "signin.png", "surveys.png", "sync.png", "team.png", "teams.png",
        "training.png", "translate.png"]
    said = capsys.readouterr().out.strip()  # it says what it did
    assert said.startswith(f"Đã lưu 13 ảnh màn hình vào {out}: ") and "home.png" in said
    assert _size(out / "home.png") == (1366, 768)
    Store.open(db).close()  # the database is still fine


def test_screenshots_of_a_new_database_include_setup(tmp_path, qapp):
    db = tmp_path / "new.db"
    out = tmp_path / "shots"
    assert cli.main(["--db", str(db), "--screenshot", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "audit.png", "home.png", "households.png", "reports.png", "sessions.png",
        "settings.png", "setup.png", "surveys.png", "sync.png", "team.png", "teams.png",
        "training.png", "translate.png"]
    store = Store.open(db)
    try:
        assert not store.is_set_up  # rendering the dialog wrote nothing
    finally:
        store.close()


def test_a_bad_database_is_one_line_and_exit_2(tmp_path, qapp, capsys):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database at all, just text" * 10)
    assert cli.main(["--db", str(bad), "--screenshot", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fieldapp: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
