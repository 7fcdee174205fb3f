"""The command line in one language: every subcommand's --help and error paths under
FIELDAPP_LANG=vi print no English from argparse, no internal names, one prefix."""

from __future__ import annotations

import argparse
import re

import pytest

from fieldapp.cli import build_parser, main
from fieldapp.cli.parser import ARGPARSE_TEXTS
from fieldapp.i18n import catalog
from fieldapp.storage.store import Store

# Every word of argparse's own texts (placeholders left out); none may show in Vietnamese.
ENGLISH = {w.lower() for text in ARGPARSE_TEXTS + ("expected %s arguments",)
           for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"%\([^)]*\)[sr]", "", text))}
ENGLISH |= {"usage", "options", "positional", "arguments", "required", "show", "exit",
            "command", "file"}
INTERNAL = ("sub_db", "SUB_DB", "forms_command", "i18n_command", "FORMS_COMMAND")


@pytest.fixture(autouse=True)
def vietnamese(monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "vi")
    yield
    catalog.set_language("en")


def commands(parser: argparse.ArgumentParser, path=()) -> list[tuple[str, ...]]:
    """Every command path of the parser: (), ("demo",), ("forms", "check"), ..."""
    found = [tuple(path)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += commands(sub, (*path, name))
    return found


COMMANDS = commands(build_parser())


def english_words(text: str) -> set[str]:
    text = re.sub(r"(?<!\w)--?[\w-]+", " ", text)  # option names are not prose
    for name in ("fieldapp", "setup-file", "demo", "check", "forms", "i18n", "coverage",
                 "update", "export", "import", "dump", "province", "JSON", "diff",
                 "XLSForm", "xlsx", "PNG", "traceback", "debug"):
        text = text.replace(name, " ")
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)} & ENGLISH


def test_every_command_is_covered():
    assert set(COMMANDS) >= {(), ("demo",), ("check",), ("forms",), ("forms", "check"),
                             ("i18n",), ("i18n", "coverage"), ("i18n", "update")}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "fieldapp")
def test_help_is_vietnamese(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("cách dùng: fieldapp")
    assert "tùy chọn:" in out and "hiện hướng dẫn này rồi thoát" in out
    assert english_words(out) == set(), out
    assert not any(name in out for name in INTERNAL), out


def error_paths(command: tuple[str, ...]) -> list[list[str]]:
    paths = [[*command, "--no-such-option"]]
    if command in (("demo",), ("forms",), ("i18n",)):
        paths.append(list(command))  # a required option or subcommand missing
    if command == ("demo",):
        paths += [["demo", "--db", "x.db", "--households", "many"], ["demo", "--db"]]
    if command == ("forms",):
        paths.append(["forms", "nope"])
    if command == ():
        paths.append(["nope"])
    return paths


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "fieldapp")
def test_errors_are_one_vietnamese_line_with_one_prefix(command, capsys, tmp_path,
                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in error_paths(command):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("fieldapp: ") and err.count("fieldapp:") == 1, err
        assert "--help" in lines[0] and "xem fieldapp" in lines[0], err
        assert english_words(lines[0]) == set(), err
        assert not any(name in err for name in INTERNAL), err


def test_check_names_tables_in_words(tmp_path, capsys):
    path = tmp_path / "ok.db"
    Store.open(path).close()
    assert main(["check", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Hộ gia đình: 0" in out and "Nhân khẩu: 0" in out
    assert not re.search(r"^\s+(households|persons|villages|users|submissions):", out, re.M)


def test_forms_check_says_what_it_checked(capsys):
    assert main(["forms", "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Đã kiểm tra 3 biểu mẫu: không có lỗi (")
    assert "household_survey.xlsx" in out


def test_check_without_db_checks_the_database_the_app_opened_last(tmp_path, capsys):
    """Right after the README's first command the app opened the demo commune: `fieldapp
    check` checks that one, and says so."""
    from fieldapp import paths
    from fieldapp.services.recent import remember_opened

    demo = paths.demo_db_path()
    demo.parent.mkdir(parents=True, exist_ok=True)
    Store.open(demo).close()
    assert main(["check"]) == 0  # no fieldapp.db: the demo commune is the one there is
    assert f"{demo} (xã mẫu)" in capsys.readouterr().out
    other = tmp_path / "other.db"
    Store.open(other).close()
    remember_opened(other)
    assert main(["check"]) == 0
    assert f"{other.resolve()} (tệp ứng dụng mở lần gần nhất)" in capsys.readouterr().out
