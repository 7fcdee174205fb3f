"""A form being filled in: :class:`FormInstance`, what the UI (and any other front end) drives.

It holds no Qt and no storage. Its concerns live in one module each, mixed into the class:

- :mod:`~fieldapp.core.forms.answers`: the answers, laid out like an XForm instance, and the
  paths that address them (``"roster[1]/member_name"``); values are strings: select_multiple
  answers are space-separated codes, dates ``YYYY-MM-DD``, numbers as typed (``"34"``, ``"1.5"``);
- :mod:`~fieldapp.core.forms.evaluation`: relevance, calculations, defaults, repeat counts;
- :mod:`~fieldapp.core.forms.choices`: the choices of select questions (registry lists too);
- :mod:`~fieldapp.core.forms.pages`: the pages and sections to show;
- :mod:`~fieldapp.core.forms.validation`: required answers, constraints, progress;
- :mod:`~fieldapp.core.forms.entity_operations`: what a submission writes to the registries.

This module keeps what changes the answers (set values, add and remove repeat rows) and the
round trip through JSON.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Mapping
from typing import Any, Callable

from fieldapp.core.clock import new_id
from fieldapp.core.forms.answers import MAX_ROWS, PathError, as_value
from fieldapp.core.forms.attachments import Attachment
from fieldapp.core.forms.choices import EmptyRegistry, RegistryLookup
from fieldapp.core.forms.entity_operations import EntityOperations
from fieldapp.core.forms.evaluation import NodeContext
from fieldapp.core.forms.model import Field, Form
from fieldapp.core.forms.validation import Validation
from fieldapp.core.xpath.dates import date_text, datetime_text

METADATA_PROPERTIES = ("deviceid", "username", "email", "phonenumber", "simserial",
                       "subscriberid")
"""Metadata the caller knows (``metadata`` argument): the device and the signed-in user."""
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc


class FormInstance(Validation, EntityOperations):
    """The runtime of one submission of ``form``.

    ``today``/``now`` are clocks (callables) or fixed values used by today()/now() so tests and
    re-opened submissions are deterministic; ``registry`` serves select_*_from_file lists.
    Creating an instance applies defaults (only when ``answers`` is None: a reopened submission
    keeps what the user cleared), syncs repeat_count repeats and runs calculations.
    ``language`` (an XLSForm language name) is used by jr:choice-name(); built-in messages
    follow the interface language (fieldapp.i18n.catalog). ``new_key`` makes the key of each
    new repeat row (a UUID; seeded in the demo so it stays reproducible). ``metadata`` gives
    the values of the device and user metadata (deviceid, username, email, ...), filled into
    a new submission with start and today; ``last_saved`` holds the answers of this laptop's
    last submission of the form, for ``${last-saved#name}``.
    """

    def __init__(
        self,
        form: Form,
        answers: dict[str, Any] | None = None,
        *,
        today: _dt.date | Callable[[], _dt.date] | None = None,
        now: _dt.datetime | Callable[[], _dt.datetime] | None = None,
        registry: RegistryLookup | None = None,
        new_key: Callable[[], str] = new_id,
        metadata: Mapping[str, str] | None = None,
        last_saved: dict[str, Any] | None = None,
    ) -> None:
        self.form = form
        self.metadata = dict(metadata or {})
        self._shuffle_seed = new_id()  # randomize=true choices keep one order per submission
        self.attachments: dict[str, Attachment] = {}
        """Files attached while filling in (not yet saved), by stored file name."""
        self.last_saved = last_saved
        self._registry_docs = {}
        self._new_key = new_key
        self.registry = registry if registry is not None else EmptyRegistry()
        self.language = form.default_language
        self._clock_today = today
        self._clock_now = now
        self._chains = {}
        for node in form.nodes.values():
            chain, r = [], node.repeat
            while r is not None:
                chain.append(r.name)
                r = r.repeat
            self._chains[node.name] = tuple(reversed(chain))
        self._row_fields = {}
        for f in form.fields.values():
            self._row_fields.setdefault(self._chains[f.name], []).append(f)
        self._path_cache = {}
        self._rel = {}
        self._fresh = set()
        if answers is None:
            self._data = {}
            self._new_row(self._data, ())
            self._fill_metadata(("start", "today", *METADATA_PROPERTIES))
        else:
            self._data = self._normalise(answers, ())
        self._recompute()

    # -- metadata -----------------------------------------------------------------------------
    def _fill_metadata(self, kinds: tuple[str, ...], *, overwrite: bool = False) -> None:
        """Fill the metadata fields of ``kinds`` silently: start/end (now), today, and the
        device, user and contact values the caller gave in ``metadata``."""
        values = {"start": lambda: datetime_text(self._now()),
                  "end": lambda: datetime_text(self._now()),
                  "today": lambda: date_text(self._today())}
        for f in self.form.fields.values():
            if f.type not in kinds:
                continue
            value = values[f.type]() if f.type in values else self.metadata.get(f.type, "")
            for idx in self._scopes(self._chains[f.name]):
                row = self._row(self._chains[f.name], idx)
                if row is not None and value and (overwrite or not row.get(f.name)):
                    row[f.name] = as_value(value)

    def stamp_end(self) -> None:
        """Set the ``end`` metadata to now (called when the submission is saved)."""
        if any(f.type == "end" for f in self.form.fields.values()):
            self._fill_metadata(("end",), overwrite=True)
            self._recompute()

    # -- values -------------------------------------------------------------------------------
    def get_value(self, path: str) -> str:
        """The stored value at ``path`` ('' when unanswered or not relevant)."""
        node, chain, idx = self._field(path)
        if not self._visible(node, idx):
            return ""
        row = self._row(chain, idx)
        if row is None:
            raise PathError(path)
        return row.get(node.name, "")

    def set_value(self, path: str, value: Any) -> None:
        """Store an answer (NFC-normalised string; None clears) and recompute what depends on it.

        Lists (select_multiple) are joined with spaces, dates written YYYY-MM-DD. Raises
        PathError for an unknown path and ValueError for a note, calculated or read-only field.
        """
        node, chain, idx = self._field(path)
        if node.type == "note" or node.calculation is not None or node.is_metadata:
            raise ValueError(_("'{name}' is calculated and cannot be set").format(name=node.name))
        row = self._row(chain, idx)
        if row is None:
            raise PathError(path)
        if node.read_only is not None and node.read_only.evaluate_bool(
                NodeContext(self, node, chain, idx)):
            raise ValueError(_("'{name}' is read-only").format(name=node.name))
        text = as_value(value)
        if row.get(node.name, "") == text:
            return
        if text:
            row[node.name] = text
        else:
            row.pop(node.name, None)
        self._recompute()
        if self._fire_triggers(node, chain, idx):
            self._recompute()

    def _fire_triggers(self, node: Field, chain: tuple[str, ...], idx: tuple[int, ...]) -> bool:
        """ODK's setvalue on xforms-value-changed: each field whose ``trigger`` names ``node``
        takes its calculation now (empty without one), in the row of ``node`` when the field
        is in that row or around it. True when a value was set."""
        fired = False
        for target in self.form.fields.values():
            if node.name not in target.trigger:
                continue
            target_chain = self._chains[target.name]
            if target_chain != chain[:len(target_chain)]:
                continue  # in a repeat the trigger is outside of: no row to set
            target_idx = idx[:len(target_chain)]
            row = self._row(target_chain, target_idx)
            if row is None:
                continue
            value = "" if target.trigger_value is None else nfc(
                target.trigger_value.evaluate_str(NodeContext(self, target, target_chain,
                                                               target_idx)))
            if value:
                row[target.name] = value
            else:
                row.pop(target.name, None)
            fired = True
        return fired

    def set_values(self, values: dict[str, Any]) -> None:
        """Set several answers, recomputing once (prefilling a round from the registry).

        All paths are checked first, so nothing is stored when one is invalid; repeat rows
        that a value here creates (through repeat_count) are not yet addressable.
        """
        targets = []
        for path, value in values.items():
            node, chain, idx = self._field(path)
            if node.type == "note" or node.calculation is not None:
                raise ValueError(_("'{name}' is calculated and cannot be set").format(
                    name=node.name))
            row = self._row(chain, idx)
            if row is None:
                raise PathError(path)
            targets.append((row, node.name, as_value(value)))
        for row, name, text in targets:
            if text:
                row[name] = text
            else:
                row.pop(name, None)
        self._recompute()

    def attach(self, path: str, attachment: Attachment) -> None:
        """Answer the image/audio/video/file question at ``path`` with ``attachment``: the
        answer is its file name, the bytes are kept until the submission is saved."""
        node = self.field_at(path)
        if not node.is_attachment:
            raise ValueError(_("'{name}' does not take a file").format(name=node.name))
        self.attachments[attachment.filename] = attachment
        self.set_value(path, attachment.filename)

    def attachment_names(self) -> set[str]:
        """File names that answer relevant attachment questions now."""
        names: set[str] = set()
        for f in self.form.fields.values():
            if f.is_attachment:
                chain = self._chains[f.name]
                for idx in self._scopes(chain):
                    row = self._row(chain, idx)
                    if row and row.get(f.name) and self._visible(f, idx):
                        names.add(row[f.name])
        return names

    @property
    def answers(self) -> dict[str, Any]:
        """A deep copy of the answers, without values of non-relevant fields."""
        return self._export(self._data, (), ())

    # -- repeats ------------------------------------------------------------------------------
    def repeat_rows(self, repeat_path: str) -> int:
        """Number of rows of the repeat at ``repeat_path`` ("roster", "roster[0]/children")."""
        node, chain, idx = self._repeat(repeat_path)
        row = self._row(chain, idx)
        if row is None:
            raise PathError(repeat_path)
        return len(row.get(node.name) or ())

    def add_repeat_row(self, repeat_path: str) -> int:
        """Append a row (defaults applied) and return its index.

        Raises ValueError for a repeat driven by repeat_count (its rows follow the count).
        """
        node, chain, idx = self._repeat(repeat_path)
        if node.repeat_count is not None:
            raise ValueError(_("the rows of '{name}' follow its repeat_count").format(
                name=node.name))
        row = self._row(chain, idx)
        if row is None:
            raise PathError(repeat_path)
        rows = row.setdefault(node.name, [])
        if len(rows) >= MAX_ROWS:
            raise ValueError(_("'{name}' cannot have more than {count} rows").format(
                name=node.name, count=MAX_ROWS))
        new: dict[str, Any] = {}
        self._new_row(new, chain + (node.name,))
        rows.append(new)
        self._recompute()
        return len(rows) - 1

    def remove_repeat_row(self, repeat_path: str, index: int) -> None:
        """Delete row ``index`` of a user-driven repeat; later rows move up."""
        node, chain, idx = self._repeat(repeat_path)
        if node.repeat_count is not None:
            raise ValueError(_("the rows of '{name}' follow its repeat_count").format(
                name=node.name))
        row = self._row(chain, idx)
        rows = row.get(node.name) if row is not None else None
        if not rows or not 0 <= index < len(rows):
            raise PathError(f"{repeat_path}[{index}]")
        del rows[index]
        self._recompute()

    def field_at(self, path: str) -> Field:
        """The form field a path points to."""
        return self._field(path)[0]

    # -- persistence ------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """{"form_id", "version", "answers"}: everything needed to reopen the submission."""
        return {"form_id": self.form.form_id, "version": self.form.version,
                "answers": self.answers}

    @classmethod
    def from_json(cls, form: Form, data: dict[str, Any], **kwargs: Any) -> FormInstance:
        """Reopen a submission saved by :meth:`to_json` (kwargs as for the constructor).

        Raises ValueError when ``data`` belongs to another form id or version: the caller
        loads the form version the submission was made with.
        """
        if not isinstance(data, dict) or data.get("form_id") != form.form_id:
            raise ValueError(_("the submission is not for form '{form_id}'").format(
                form_id=form.form_id))
        if str(data.get("version", "")) != form.version:
            raise ValueError(_("the submission was made with version {version} of '{form_id}', "
                               "not {current}").format(version=repr(data.get("version")),
                                                       form_id=form.form_id,
                                                       current=repr(form.version)))
        return cls(form, copy.deepcopy(data.get("answers") or {}), **kwargs)

