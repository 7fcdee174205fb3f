"""Validation of a form instance: required answers, constraints and values of the wrong kind.

Built-in messages are interface text (msgids translated into the interface language when shown,
whatever language the form is displayed in); the form's own required_message and
constraint_message, per form language, take precedence.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Iterator

from fieldapp.core.forms.answer_types import geo_problem, in_range
from fieldapp.core.forms.choices import Choices
from fieldapp.core.xpath import ExprTimeout
from fieldapp.core.xpath.dates import parse_datetime, time_fraction
from fieldapp.core.forms.evaluation import NodeContext
from fieldapp.core.forms.model import Field
from fieldapp.core.forms.pages import Page, Pages
from fieldapp.i18n.catalog import N_, _

_INTEGER_RE = re.compile(r"^[+-]?\d+$")
_TIME_RE = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_MESSAGES = {
    "required": N_("This question requires an answer."),
    "constraint": N_("This answer is not valid."),
    "integer": N_("Enter a whole number."),
    "decimal": N_("Enter a number (with a point for decimals)."),
    "date": N_("Enter a valid date."),
    "choice": N_("This choice is not in the list."),
    "time": N_("Enter a time as hours:minutes, for example 14:30."),
    "datetime": N_("Enter a valid date and time."),
    "geopoint": N_("Enter the latitude (-90 to 90) and longitude (-180 to 180) as numbers, and "
                   "the altitude and accuracy if known."),
    "geotrace": N_("Enter at least two points, each with latitude and longitude."),
    "geoshape": N_("Enter at least three points, each with latitude and longitude; the shape "
                   "closes by itself."),
    "range": N_("Choose a value from {start} to {end}, in steps of {step}."),
    "rank": N_("Put every choice in order once."),
    "timeout": N_("This answer could not be checked: the form's pattern for it took too long. "
                  "Check the answer, or ask the form's author to simplify the constraint."),
}


def _message(key: str, **values: str) -> str:
    """A built-in message in the current interface language."""
    return _(_MESSAGES[key]).format(**values)


class Validation(Pages, Choices):
    """What stops a page or the whole form (a mixin of FormInstance)."""

    def _all_paths(self) -> Iterator[str]:
        for page in self.pages():
            yield from page.paths

    def error_for(self, path: str, language: str | None = None) -> str | None:
        """The message for the value at ``path``, or None when it is fine (or not relevant)."""
        node, chain, idx = self._field(path)
        if not self._visible(node, idx):
            return None
        row = self._row(chain, idx) or {}
        value = row.get(node.name, "")
        ctx = NodeContext(self, node, chain, idx)
        if value == "":
            if node.required is not None and node.required.evaluate_bool(ctx):
                return self.form.text(node.required_message, language) or _message("required")
            return None
        problem = self._type_problem(node, chain, idx, value)
        if problem == "range":
            return _message("range", start=node.parameters.get("start", "1"),
                            end=node.parameters.get("end", "10"),
                            step=node.parameters.get("step", "1"))
        if problem:
            return _message(problem)
        if node.constraint is not None:
            try:
                ok = node.constraint.evaluate_bool(ctx, strict=True)
            except ExprTimeout:
                return _message("timeout")  # not checked is not passed
            if not ok:
                return self.form.text(node.constraint_message, language) or _message("constraint")
        return None

    def _type_problem(self, node: Field, chain: tuple[str, ...], idx: tuple[int, ...],
                      value: str) -> str | None:
        kind = node.type
        if kind == "integer":
            return None if _INTEGER_RE.match(value.strip()) else "integer"
        if kind == "decimal":
            try:
                ok = math.isfinite(float(value.strip()))
            except ValueError:
                ok = False
            return None if ok and "_" not in value else "decimal"
        if kind == "date":
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                return "date"
            return None if _DATE_RE.match(value) else "date"
        if kind == "rank":
            names = {c.name for c in self._choices(node, chain, idx)}
            codes = value.split()
            return None if set(codes) == names and len(codes) == len(names) else "rank"
        if node.is_select:
            if node.calculation is not None:
                # JavaRosa keeps a calculated select's value as it is: a code outside the list
                # (onadata's select_one_choices_test gives "1" to a list of 2, 3, 4) would
                # otherwise stop finalizing on a question the member cannot change.
                return None
            codes = value.split() if kind == "select_multiple" else [value]
            offered = self._registry_has(node, chain, idx, codes)
            if offered is not None:  # a registry list: one indexed lookup, not the whole list
                return None if offered else "choice"
            names = {c.name for c in self._choices(node, chain, idx)}
            return None if all(c in names for c in codes) else "choice"
        if kind == "time":
            return None if _TIME_RE.match(value) and time_fraction(value) == time_fraction(
                value) else "time"
        if kind == "datetime":
            return None if "T" in value and parse_datetime(value) is not None else "datetime"
        if kind in ("geopoint", "geotrace", "geoshape"):
            return geo_problem(kind, value)
        if kind == "range":
            return None if in_range(node.parameters, value) else "range"
        return None

    def errors(self, page: Page | None = None, language: str | None = None) -> list[tuple[str, str]]:
        """(path, message) for every relevant question (on ``page``, or in the whole form) that is
        required but empty, fails its constraint or holds a value of the wrong kind."""
        paths = page.paths if page is not None else self._all_paths()
        out = []
        for path in paths:
            message = self.error_for(path, language)
            if message:
                out.append((path, message))
        return out

    def can_finalize(self) -> bool:
        """True when the whole form has no errors."""
        return all(self.error_for(p) is None for p in self._all_paths())

    def progress_counts(self) -> tuple[int, int]:
        """(answered, to answer) over the relevant questions shown: every required one and
        every optional one that has an answer; notes and read-only values do not count, so a
        form with every required answer given is complete (1.0), optional blanks or not.
        A form that requires nothing (many partner forms) counts every question shown, so an
        untouched form is not 100% answered."""
        total = answered = shown = shown_answered = 0
        for path in self._all_paths():
            node, chain, idx = self._field(path)
            if node.type == "note" or self.is_read_only(path):
                continue
            row = self._row(chain, idx) or {}
            has = bool(row.get(node.name))
            shown += 1
            shown_answered += has
            if has or self.is_required(path):
                total += 1
                answered += has
        if not any(f.required is not None for f in self.form.fields.values()):
            return shown_answered, shown
        return answered, total

    def progress(self) -> float:
        """Fraction (0..1) of :meth:`progress_counts`."""
        answered, total = self.progress_counts()
        return answered / total if total else 1.0
