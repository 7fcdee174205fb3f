"""The command line's parser: argparse speaking the interface language, for every subcommand.

:class:`Parser` is an ``argparse.ArgumentParser`` whose own texts ("usage:", "options", "the
following arguments are required: ...") come from the interface catalog, like every other
message: while a parser is built, parses or formats its help, argparse's ``_``/``ngettext``
are the catalog's (:func:`argparse_in_interface_language`). Its subparsers are Parsers too, so
a subcommand added later gets, without doing anything:

- its usage, help and errors in the interface language (argparse's own msgids are listed in
  :data:`ARGPARSE_TEXTS` so the catalogs translate them);
- ``--debug`` wherever it is put on the line (:data:`DEBUG`);
- errors as a :class:`~fieldapp.errors.UserError` (exit code 2) whose message the caller prints
  once, after the program's name, with the subcommand's ``--help`` to look at;
- an option with a value refused when it is given twice (argparse keeps the last silently);
- no internal names in what it prints: give options a ``metavar`` (``FILE``, ``N``) and
  subparser groups a ``metavar`` (``COMMAND``) rather than showing ``dest`` names, and use
  :func:`whole_number` instead of ``type=int`` (whose error names the Python type).
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any, Iterator

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import N_, _, ngettext

PROG = "fieldapp"
DEBUG = "--debug"

# argparse's own user-facing texts (Python 3.11 argparse.py), marked so babel extracts them into
# the interface catalogs; argparse looks them up through the catalog while it runs (below).
ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("subcommands"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("%(prog)s: error: %(message)s\n"),
)


def _plural_texts() -> None:  # pragma: no cover - never called: marks the plural msgids
    ngettext("expected %s argument", "expected %s arguments", 1)


_depth = 0
_saved: tuple[Any, Any] | None = None


@contextlib.contextmanager
def argparse_in_interface_language() -> Iterator[None]:
    """argparse's ``_`` and ``ngettext`` are the interface catalog's inside the block
    (re-entrant; argparse outside a fieldapp Parser is left as it was afterwards)."""
    global _depth, _saved
    if _depth == 0:
        _saved = (argparse._, argparse.ngettext)
        argparse._ = _  # type: ignore[attr-defined]
        argparse.ngettext = ngettext  # type: ignore[attr-defined]
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _saved is not None:
            argparse._, argparse.ngettext = _saved  # type: ignore[attr-defined]


def whole_number(text: str) -> int:
    """``type=`` for a whole number, with an error in the interface language."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{value}” is not a whole number").format(value=text)) from None


class _StoreOnce(argparse._StoreAction):
    """An option with a value, refused when given twice: argparse would keep the last one
    silently, and ``--db a.db ... --db b.db`` would then erase or restore in a database the
    user did not mean."""

    def __call__(self, parser, namespace, values, option_string=None):
        if option_string is not None:
            given = namespace.__dict__.setdefault("_options_given", set())
            if self.dest in given:
                raise argparse.ArgumentError(self, _("given twice: give it once"))
            given.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


class Parser(argparse.ArgumentParser):
    """See the module's docstring. ``top`` is set on the program's own parser only."""

    def __init__(self, *args: Any, top: bool = False, **kwargs: Any):
        kwargs.setdefault("prog", PROG)
        with argparse_in_interface_language():
            super().__init__(*args, **kwargs)
            self.register("action", None, _StoreOnce)
            self.register("action", "store", _StoreOnce)
            # On the top parser --debug is False unless given; on a subcommand it only sets
            # True when given, so a --debug before the subcommand is not reset by it.
            self.add_argument(DEBUG, action="store_true",
                              default=False if top else argparse.SUPPRESS,
                              help=_("show the details (traceback) of an error"))

    def add_subparsers(self, **kwargs: Any):
        kwargs.setdefault("parser_class", Parser)
        kwargs.setdefault("metavar", _("COMMAND"))
        with argparse_in_interface_language():
            return super().add_subparsers(**kwargs)

    def add_argument_group(self, *args: Any, **kwargs: Any):
        with argparse_in_interface_language():
            return super().add_argument_group(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with argparse_in_interface_language():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with argparse_in_interface_language():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with argparse_in_interface_language():
            return super().format_usage()

    def format_help(self) -> str:
        with argparse_in_interface_language():
            return super().format_help()

    def error(self, message: str):  # noqa: D401 - argparse API
        """A usage error: one line, exit code 2, printed once after the program's name."""
        raise UserError(_("{message} (see {command} --help)").format(
            message=message, command=self.prog))


def wants_debug(argv: list[str]) -> bool:
    """Whether ``--debug`` is anywhere on the command line (before parsing, so that even a
    parse error can be shown with its details)."""
    return DEBUG in argv[: argv.index("--")] if "--" in argv else DEBUG in argv
