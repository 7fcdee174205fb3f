"""A form being filled in: answers, relevance, calculations, validation, pages and entities.

The UI drives a :class:`FormInstance`; it holds no Qt and no storage. Answers are kept like an
XForm instance: strings by field name, repeats as lists of row dicts::

    {"village": "ban_chang", "hh_size": "2",
     "roster": [{"member_name": "Hoàng Văn Sơn", "age": "34"}, {...}]}

A *path* addresses one value: a field name for top-level fields, and repeat rows with zero-based
indices for fields in repeats: ``"roster[1].member_name"``; nested repeats chain:
``"roster[0].children[2].child_name"``. A repeat itself is addressed the same way without the
field: ``"roster"``, ``"roster[0].children"``. Values are strings: select_multiple answers are
space-separated codes, dates ``YYYY-MM-DD``, numbers as typed (``"34"``, ``"1.5"``).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from fieldapp.core.forms.model import Choice, Field, Form, Group, Node, Repeat, Texts


class RegistryLookup(Protocol):
    """Serves the registry lists that ``select_*_from_file NAME.csv`` questions choose from.

    ``list_rows("households.csv")`` returns rows with at least ``name`` (the value stored) and
    ``label`` (shown), plus any columns a choice_filter tests (``village``, ``household`` ...).
    Labels may be per language as ``label::Vietnamese (vi)`` keys.
    """

    def list_rows(self, csv_name: str) -> list[dict[str, str]]: ...


class EmptyRegistry:
    """A registry with no rows (for previews, tests and forms that use no registry list)."""

    def list_rows(self, csv_name: str) -> list[dict[str, str]]:
        return []


@dataclass(frozen=True)
class Page:
    """One screen of the form.

    ``paths`` are the fields shown (one for a plain question, several for a field-list group).
    ``title`` is the group/row title (empty for a lone question: its label is the title).
    For pages inside a repeat row, ``repeat_path`` is that row's path (``"roster[1]"``) and
    ``row_title`` the row's title, e.g. "2. Hoàng Văn Sơn, 34".
    """

    key: str
    section: str
    paths: tuple[str, ...]
    title: str = ""
    repeat_path: str | None = None
    row_title: str = ""


@dataclass(frozen=True)
class Section:
    """A jump target: a top-level group, repeat or question, and the index of its first page."""

    name: str
    title: str
    first_page: int


@dataclass
class EntityOperation:
    """What a finalized submission creates or updates in a registry (see entity_operations)."""

    dataset: str
    action: str  # "create" or "update"
    entity_id: str | None
    label: str
    properties: dict[str, str]
    repeat_path: str | None = None
    row_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset, "action": self.action, "entity_id": self.entity_id,
            "label": self.label, "properties": dict(self.properties),
            "repeat_path": self.repeat_path, "row_index": self.row_index,
        }


class PathError(KeyError):
    """A path that names no field or repeat row of this form."""


class FormInstance:
    """The runtime of one submission of ``form``.

    ``today``/``now`` are clocks (callables) or fixed values used by today()/now() so tests and
    re-opened submissions are deterministic; ``registry`` serves select_*_from_file lists.
    Creating an instance applies defaults, syncs repeat_count repeats and runs calculations.
    """

    def __init__(
        self,
        form: Form,
        answers: dict[str, Any] | None = None,
        *,
        today: _dt.date | Callable[[], _dt.date] | None = None,
        now: _dt.datetime | Callable[[], _dt.datetime] | None = None,
        registry: RegistryLookup | None = None,
    ) -> None:
        raise NotImplementedError

    # -- values -------------------------------------------------------------------------------
    def get_value(self, path: str) -> str:
        """The stored value at ``path`` ('' when unanswered or not relevant)."""
        raise NotImplementedError

    def set_value(self, path: str, value: Any) -> None:
        """Store an answer (NFC-normalised string; None clears) and recompute what depends on it.

        Raises PathError for an unknown path and ValueError for a read-only or calculated field.
        """
        raise NotImplementedError

    @property
    def answers(self) -> dict[str, Any]:
        """A deep copy of the answers (non-relevant values already cleared)."""
        raise NotImplementedError

    # -- repeats ------------------------------------------------------------------------------
    def repeat_rows(self, repeat_path: str) -> int:
        """Number of rows of the repeat at ``repeat_path`` ("roster", "roster[0].children")."""
        raise NotImplementedError

    def add_repeat_row(self, repeat_path: str) -> int:
        """Append a row (defaults applied) and return its index.

        Raises ValueError for a repeat driven by repeat_count (its rows follow the count).
        """
        raise NotImplementedError

    def remove_repeat_row(self, repeat_path: str, index: int) -> None:
        """Delete row ``index`` of a user-driven repeat; later rows move up."""
        raise NotImplementedError

    # -- state of one field --------------------------------------------------------------------
    def is_relevant(self, path: str) -> bool:
        """False when the field or any enclosing group is not relevant (then hidden and '')."""
        raise NotImplementedError

    def is_read_only(self, path: str) -> bool:
        """True for notes, calculates and fields whose read_only expression holds."""
        raise NotImplementedError

    def is_required(self, path: str) -> bool:
        raise NotImplementedError

    def label(self, path: str, language: str | None = None) -> str:
        """The field's (or group's/repeat's) label with ${references} filled in."""
        raise NotImplementedError

    def hint(self, path: str, language: str | None = None) -> str:
        raise NotImplementedError

    def choices_for(self, path: str) -> list[Choice]:
        """Choices offered at ``path`` after its choice_filter (registry rows for from_file).

        For select ... or_other the list ends with an "other" choice.
        """
        raise NotImplementedError

    def field_at(self, path: str) -> Field:
        """The form field a path points to."""
        raise NotImplementedError

    # -- navigation ---------------------------------------------------------------------------
    def pages(self, language: str | None = None) -> list[Page]:
        """Pages to show now, in order: one per question or per field-list group, repeats
        expanded per row; non-relevant fields, groups and rows are left out."""
        raise NotImplementedError

    def sections(self, language: str | None = None) -> list[Section]:
        """Top-level groups/repeats (and loose questions) with the index of their first page."""
        raise NotImplementedError

    # -- validation ---------------------------------------------------------------------------
    def errors(self, page: Page | None = None, language: str | None = None) -> list[tuple[str, str]]:
        """(path, message) for every relevant field (on ``page``, or in the whole form) that is
        required but empty, fails its constraint or holds a value of the wrong kind."""
        raise NotImplementedError

    def can_finalize(self) -> bool:
        """True when the whole form has no errors."""
        raise NotImplementedError

    def progress(self) -> float:
        """Fraction (0..1) of relevant answerable fields that have a value."""
        raise NotImplementedError

    # -- persistence and registries -----------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """{"form_id", "version", "answers"}: everything needed to reopen the submission."""
        raise NotImplementedError

    @classmethod
    def from_json(cls, form: Form, data: dict[str, Any], **kwargs: Any) -> FormInstance:
        """Reopen a submission saved by :meth:`to_json` (kwargs as for the constructor).

        Raises ValueError when ``data`` belongs to another form id (a different version is fine
        as long as the caller passes the form of that version).
        """
        raise NotImplementedError

    def entity_operations(self) -> list[dict[str, Any]]:
        """What the submission creates/updates in the registries, one dict per entity.

        Each dict: dataset ("households", "persons"), action ("create"/"update"), entity_id
        (the entity_id expression's value for updates, None for creates: the caller assigns a
        new UUID), label, properties {property: value} from save_to fields, and for entities
        declared in a repeat the repeat_path and row_index of the row.
        """
        raise NotImplementedError
