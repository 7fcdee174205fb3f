"""Indicators as data: what the commune summary computes, declared in a TOML file beside the forms.

The file (``forms/indicators.toml``; a province adds its own in the data folder's ``forms/``)
declares, for one survey form, the *levels* its answers are counted at and the *indicators*:

.. code-block:: toml

    format = 1
    form = "household_survey"

    [levels.household]                 # one case per interviewed household round
    include = "${consent} = 'yes'"
    ethnicity = "hh_ethnicity"         # field giving the case's ethnic group

    [levels.person]                    # one case per roster row
    repeat = "members"
    include = "${member_status} != 'moved' and ${member_status} != 'died'"
    ethnicity = "ethnicity"
    sex = "sex"

    [[indicator]]
    id = "epayment"                    # stable code, passed upward in exports
    number = 5                         # row of DOMAIN.md section 1 (optional)
    name = "Người từ 18 tuổi có tài khoản thanh toán điện tử hoặc ví điện tử"
    level = "person"
    population = "${age} >= 18"        # who the indicator is about (default: every case)
    population_name = "Người từ 18 tuổi"
    answer = "epayment"                # where the answer comes from (a field of the form)
    numerator = "${epayment} = 'yes'"
    not_asked = [{ when = "${module} != 2", reason = "Hỏi theo vòng: ..." }]
    target = 80                        # percent (optional)
    target_year = 2030
    target_source = "Nghị quyết 49-NQ/TU (002:250)"
    reference = "Lạng Sơn: trên 72% người lớn (001:109)"      # figure to compare (optional)
    key = true                         # shown first, with a chart by village
    group = "indicator"                # or "barrier"

Conditions are XLSForm expressions (the forms' own language: ``${field}``, ``selected()``,
``and``/``or``/``not()``) over the answers of one case; a person's case also sees its
household's answers. Every ``${name}`` must be a field of the form.

Of a level's cases in the population:

- *not asked*: ``asked`` is false when given, else the ``answer`` field is empty (the round did
  not ask it). The reason is the ``reason`` of the first rule of ``not_asked`` (the
  indicator's, then its level's) whose ``when`` holds, else "the round's questionnaire did not
  ask it";
- *don't know*: ``answer`` is ``dont_know`` (or the ``dont_know`` expression holds; ``unknown``
  is its older name);
- *refused*: ``answer`` is ``refused`` or ``skipped``, or empty although asked (left without an
  answer), or the ``refused`` expression holds;
- the rest are the denominator N, and n of them satisfy the numerator.

``small_cell`` (top level, default 5): a figure whose N is under it is not printed as a share.

:func:`parse_indicators` checks everything when the file is loaded and raises
:class:`IndicatorFileError` whose problems name the file, line and key. Reading the file is the
services' business; this module touches no files.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.xpath import Expr, ExprError, parse
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc

FORMAT = 1
LEVELS = ("household", "person")
GROUPS = ("indicator", "barrier")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_INDICATOR_KEYS = {"id", "number", "name", "level", "population", "population_name", "asked",
                   "numerator", "unknown", "dont_know", "refused", "answer", "not_asked",
                   "target", "target_year", "target_source", "reference", "key", "group",
                   "note"}
_LEVEL_KEYS = {"include", "repeat", "ethnicity", "sex", "not_asked"}
_TOP_KEYS = {"format", "form", "levels", "indicator", "small_cell"}
SMALL_CELL = 5
"""A share computed over fewer cases than this is not printed (DOMAIN.md §9)."""
DONT_KNOW_CODES = ("dont_know",)
REFUSED_CODES = ("refused", "skipped")


@dataclass(frozen=True)
class IndicatorProblem:
    """One thing wrong with an indicator file: where (file, line, key) and what."""

    source: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else _("{file}, line {line}").format(
            file=self.source, line=self.line)
        if self.key:
            return _("{where}, {key}: {message}").format(where=where, key=self.key,
                                                        message=self.message)
        return f"{where}: {self.message}"


class IndicatorFileError(ValueError):
    """An indicator file that cannot be used; ``problems`` lists everything found."""

    def __init__(self, problems: list[IndicatorProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class NotAsked:
    """Why a case of the population was not asked: ``reason`` when ``when`` holds."""

    when: Expr
    reason: str


@dataclass(frozen=True)
class Level:
    """How cases are made at one level: household rounds, or rows of a roster repeat."""

    name: str
    include: Expr | None = None
    repeat: str | None = None
    ethnicity: str | None = None
    sex: str | None = None
    not_asked: tuple[NotAsked, ...] = ()


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    level: str
    numerator: Expr
    population: Expr | None = None
    population_name: str = ""
    asked: Expr | None = None
    unknown: Expr | None = None
    """Don't know (the older name of ``dont_know``)."""
    dont_know: Expr | None = None
    refused: Expr | None = None
    answer: str | None = None
    """The field the answer comes from: empty means not asked, its codes dont_know, refused
    and skipped count apart from "no"."""
    not_asked: tuple[NotAsked, ...] = ()
    number: int | None = None
    target: float | None = None
    """Percent (0-100); the indicator meets it when its value is at least this."""
    target_year: int | None = None
    target_source: str = ""
    reference: str = ""
    key: bool = False
    group: str = "indicator"
    note: str = ""
    source: str = ""
    line: int | None = None

    def references(self) -> set[str]:
        refs: set[str] = {self.answer} if self.answer else set()
        for expr in (self.numerator, self.population, self.asked, self.unknown,
                     self.dont_know, self.refused, *(r.when for r in self.not_asked)):
            if expr is not None:
                refs |= expr.references()
        return refs


@dataclass(frozen=True)
class IndicatorSet:
    """Every indicator of one form, in file order, with the form's levels."""

    form_id: str
    levels: dict[str, Level]
    indicators: tuple[Indicator, ...] = ()
    sources: tuple[str, ...] = field(default=())
    small_cell: int = SMALL_CELL
    explicit_small_cell: bool = False
    """True when the file set ``small_cell`` itself (a province's file overrides ours)."""
    digest: str = ""
    """Identifies the files the set was read from (set by whoever read them)."""

    def undeclared_levels(self) -> list[Indicator]:
        """Indicators of a level no [levels.x] table declares (in any file merged)."""
        return [i for i in self.indicators if i.level not in self.levels]

    def get(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def of_group(self, group: str) -> list[Indicator]:
        return [i for i in self.indicators if i.group == group]

    @property
    def key_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.key and i.group == "indicator"]

    def extended(self, other: "IndicatorSet") -> "IndicatorSet":
        """This set with ``other``'s indicators added (one with the same id replaces ours)
        and its levels overriding ours: a province's file over the shipped one."""
        if other.form_id != self.form_id:
            return self
        theirs = {i.id: i for i in other.indicators}
        merged = [theirs.pop(i.id, i) for i in self.indicators] + list(theirs.values())
        return IndicatorSet(self.form_id, {**self.levels, **other.levels}, tuple(merged),
                            self.sources + other.sources,
                            other.small_cell if other.explicit_small_cell else self.small_cell)


# -- parsing --------------------------------------------------------------------------------------

_HEADER_RE = re.compile(r"^\s*\[\[\s*indicator\s*\]\]")
_TABLE_RE = re.compile(r"^\s*\[\s*levels\s*\.\s*([A-Za-z0-9_]+)\s*\]")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=")


def _lines(text: str) -> tuple[list[dict[str, int]], dict[str, dict[str, int]], dict[str, int]]:
    """Where each key is written: per [[indicator]] block, per [levels.x] table, at the top."""
    blocks: list[dict[str, int]] = []
    levels: dict[str, dict[str, int]] = {}
    top: dict[str, int] = {}
    current: dict[str, int] = top
    for number, line in enumerate(text.splitlines(), start=1):
        if _HEADER_RE.match(line):
            current = {"": number}
            blocks.append(current)
            continue
        table = _TABLE_RE.match(line)
        if table:
            current = levels.setdefault(table.group(1), {"": number})
            continue
        if line.lstrip().startswith("["):
            current = {"": number}
            continue
        key = _KEY_RE.match(line)
        if key and key.group(1) not in current:
            current[key.group(1)] = number
    return blocks, levels, top


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.items: list[IndicatorProblem] = []

    def add(self, line: int | None, key: str, message: str) -> None:
        self.items.append(IndicatorProblem(self.source, line, key, message))


def _expression(value: Any, line: int | None, key: str, problems: _Problems,
                known: Collection[str] | None) -> Expr | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(line, key, _("an expression (text) is expected"))
        return None
    try:
        expr = parse(nfc(value), strict=True)
    except ExprError as exc:
        problems.add(line, key, str(exc))
        return None
    if known is not None:
        for name in sorted(expr.references() - set(known)):
            problems.add(line, key, _("unknown field ${{{name}}}").format(name=name))
    return expr


def parse_indicators(text: str, source: str, known_fields: Collection[str] | None = None
                     ) -> IndicatorSet:
    """Read an indicator file's text; ``source`` names it in problems; ``known_fields`` (the
    form's field names) lets unknown fields be reported. Raises IndicatorFileError."""
    problems = _Problems(source)
    try:
        data = tomllib.loads(nfc(text))
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        problems.add(int(match.group(1)) if match else None, "",
                     _("not a valid TOML file: {error}").format(error=exc))
        raise IndicatorFileError(problems.items) from None
    blocks, level_lines, top = _lines(text)
    for key in sorted(set(data) - _TOP_KEYS):
        problems.add(top.get(key), key, _("unknown key"))
    if data.get("format", FORMAT) != FORMAT:
        problems.add(top.get("format"), "format",
                     _("format {found} is not supported (this version reads format {known})")
                     .format(found=data.get("format"), known=FORMAT))
    form_id = data.get("form")
    if not isinstance(form_id, str) or not form_id:
        problems.add(top.get("form"), "form", _("the form id is missing"))
        form_id = ""
    small = data.get("small_cell", SMALL_CELL)
    if isinstance(small, bool) or not isinstance(small, int) or not 1 <= small <= 100:
        problems.add(top.get("small_cell"), "small_cell",
                     _("a whole number from {low} to {high} is expected").format(low=1, high=100))
        small = SMALL_CELL
    levels = _parse_levels(data.get("levels", {}), level_lines, problems, known_fields)
    entries = data.get("indicator", [])
    if not isinstance(entries, list):
        problems.add(top.get("indicator"), "indicator", _("use [[indicator]] tables"))
        entries = []
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        lines = blocks[position] if position < len(blocks) else {}
        indicator = _parse_indicator(entry, lines, problems, known_fields, source)
        if indicator is None:
            continue
        if indicator.id in seen:
            problems.add(lines.get("id"), "id", _("the id {id} is used twice").format(
                id=indicator.id))
            continue
        seen.add(indicator.id)
        indicators.append(indicator)
    if problems.items:
        raise IndicatorFileError(problems.items)
    return IndicatorSet(form_id, levels, tuple(indicators), (source,), small,
                        "small_cell" in data)


def _parse_levels(raw: Any, lines: dict[str, dict[str, int]], problems: _Problems,
                  known: Collection[str] | None) -> dict[str, Level]:
    levels: dict[str, Level] = {}
    if not isinstance(raw, dict):
        problems.add(None, "levels", _("use [levels.household] and [levels.person] tables"))
        return levels
    for name, spec in raw.items():
        where = lines.get(name, {})
        if name not in LEVELS:
            problems.add(where.get(""), f"levels.{name}",
                         _("unknown level (use household or person)"))
            continue
        if not isinstance(spec, dict):
            problems.add(where.get(""), f"levels.{name}", _("a table is expected"))
            continue
        for key in sorted(set(spec) - _LEVEL_KEYS):
            problems.add(where.get(key), key, _("unknown key"))
        for key in ("repeat", "ethnicity", "sex"):
            value = spec.get(key)
            if value is not None and (not isinstance(value, str) or
                                      (known is not None and value not in known)):
                problems.add(where.get(key), key, _("unknown field {name}").format(name=value))
        if name == "person" and not spec.get("repeat"):
            problems.add(where.get(""), "repeat",
                         _("the person level needs the roster repeat's name"))
        levels[name] = Level(name, _expression(spec.get("include"), where.get("include"),
                                               "include", problems, known),
                             spec.get("repeat"), spec.get("ethnicity"), spec.get("sex"),
                             _not_asked(spec.get("not_asked"), where, problems, known))
    return levels


def _not_asked(raw: Any, lines: dict[str, int], problems: _Problems,
               known: Collection[str] | None) -> tuple[NotAsked, ...]:
    """``not_asked = [{ when = "...", reason = "..." }, ...]``."""
    if raw is None:
        return ()
    line = lines.get("not_asked")
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        problems.add(line, "not_asked", _("use a list of {{ when = \"…\", reason = \"…\" }}"))
        return ()
    rules = []
    for rule in raw:
        for key in sorted(set(rule) - {"when", "reason"}):
            problems.add(line, "not_asked", _("unknown key {key}").format(key=key))
        when = _expression(rule.get("when"), line, "not_asked", problems, known)
        reason = rule.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.add(line, "not_asked", _("each rule needs a reason (text)"))
            continue
        if when is not None:
            rules.append(NotAsked(when, nfc(reason.strip())))
    return tuple(rules)


def _text(entry: dict, key: str, lines: dict[str, int], problems: _Problems,
          required: bool = False) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            problems.add(lines.get(""), key, _("this key is required"))
        return ""
    if not isinstance(value, str):
        problems.add(lines.get(key), key, _("text is expected"))
        return ""
    return nfc(value.strip())


def _parse_indicator(entry: Any, lines: dict[str, int], problems: _Problems,
                     known: Collection[str] | None, source: str) -> Indicator | None:
    if not isinstance(entry, dict):
        problems.add(lines.get(""), "indicator", _("a table is expected"))
        return None
    before = len(problems.items)
    for key in sorted(set(entry) - _INDICATOR_KEYS):
        problems.add(lines.get(key), key, _("unknown key"))
    indicator_id = _text(entry, "id", lines, problems, required=True)
    if indicator_id and not _ID_RE.match(indicator_id):
        problems.add(lines.get("id"), "id",
                     _("use lower-case letters, digits and _ (at most 40)"))
    name = _text(entry, "name", lines, problems, required=True)
    level = _text(entry, "level", lines, problems, required=True)
    if level and level not in LEVELS:
        problems.add(lines.get("level"), "level", _("unknown level (use household or person)"))
    group = _text(entry, "group", lines, problems) or "indicator"
    if group not in GROUPS:
        problems.add(lines.get("group"), "group", _("unknown group (use indicator or barrier)"))
    exprs = {key: _expression(entry.get(key), lines.get(key), key, problems, known)
             for key in ("numerator", "population", "asked", "unknown", "dont_know", "refused")}
    answer = entry.get("answer")
    if answer is not None and (not isinstance(answer, str) or
                               (known is not None and answer not in known)):
        problems.add(lines.get("answer"), "answer", _("unknown field {name}").format(name=answer))
        answer = None
    rules = _not_asked(entry.get("not_asked"), lines, problems, known)
    if "numerator" not in entry:
        problems.add(lines.get(""), "numerator", _("this key is required"))
    number = _whole(entry, "number", lines, problems, 1, 999)
    year = _whole(entry, "target_year", lines, problems, 1900, 2200)
    target = entry.get("target")
    if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float))
                               or not 0 <= target <= 100):
        problems.add(lines.get("target"), "target", _("a percentage from 0 to 100 is expected"))
        target = None
    key = entry.get("key", False)
    if not isinstance(key, bool):
        problems.add(lines.get("key"), "key", _("true or false is expected"))
    if len(problems.items) > before:
        return None
    return Indicator(
        id=indicator_id, name=name, level=level, numerator=exprs["numerator"],
        population=exprs["population"], asked=exprs["asked"], unknown=exprs["unknown"],
        dont_know=exprs["dont_know"], refused=exprs["refused"], answer=answer or None,
        not_asked=rules,
        population_name=_text(entry, "population_name", lines, problems), number=number,
        target=float(target) if target is not None else None, target_year=year,
        target_source=_text(entry, "target_source", lines, problems),
        reference=_text(entry, "reference", lines, problems), key=bool(key), group=group,
        note=_text(entry, "note", lines, problems), source=source, line=lines.get(""))


def _whole(entry: dict, key: str, lines: dict[str, int], problems: _Problems,
           low: int, high: int) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(lines.get(key), key, _("a whole number from {low} to {high} is expected")
                     .format(low=low, high=high))
        return None
    return value


def merge_sets(sets: Iterable[IndicatorSet]) -> IndicatorSet | None:
    """The first set extended by the others of the same form (see IndicatorSet.extended)."""
    result: IndicatorSet | None = None
    for item in sets:
        result = item if result is None else result.extended(item)
    return result

