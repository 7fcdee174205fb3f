"""The loaded form: an immutable tree of groups, repeats and fields with parsed expressions.

Texts are per language: ``{language name: text}``, where the language name is the XLSForm
suffix such as "Vietnamese (vi)". A column without a language suffix belongs to the form's
default language. :func:`~fieldapp.i18n.languages.language_code` extracts the ISO code ("vi")
from such a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from fieldapp.i18n.languages import language_code

if TYPE_CHECKING:  # pragma: no cover - typing only
    from fieldapp.core.xpath import Expr

Texts = dict[str, str]
"""Text of one column in every language it was given in: {language name: text}."""

# Question types this engine supports (after alias resolution). Everything else is refused.
INPUT_TYPES = frozenset({"text", "integer", "decimal", "date", "time", "datetime", "barcode",
                         "range", "geopoint", "geotrace", "geoshape"})
SELECT_TYPES = frozenset({"select_one", "select_multiple", "rank"})
ATTACHMENT_TYPES = frozenset({"image", "audio", "video", "file"})
"""Answered with a file: the answer is the file name, the bytes are an attachment."""
METADATA_TYPES = frozenset({"start", "end", "today", "deviceid", "username", "email",
                            "phonenumber", "simserial", "subscriberid", "audit",
                            "start-geopoint", "background-geopoint", "background-audio"})
"""Filled silently (device, user, timestamps); never shown. What a desktop does not have (a SIM
card, a GPS fix, an audit log) stays empty; nothing is recorded for background-audio (the form
check warns of it)."""
FIELD_TYPES = (INPUT_TYPES | SELECT_TYPES | ATTACHMENT_TYPES | METADATA_TYPES
               | {"note", "calculate", "acknowledge", "hidden"})

# The registry lists the app serves for select_*_from_file (built from the database).
REGISTRY_FILES = frozenset({"households.csv", "persons.csv", "villages.csv", "team_members.csv"})


TEXT_REF_RE = re.compile(r"\$\{([^}]*)\}")
"""A ${reference} inside a label or hint; group 1 is the field name."""


def strip_refs(text: str) -> str:
    """A label without its ${references} ("Thành viên: ${member_label}" -> "Thành viên")."""
    return " ".join(TEXT_REF_RE.sub("", text).split()).strip(" ,;:-–")


def pick_text(texts: Texts, language: str | None, fallback: str | None = None) -> str:
    """Text in ``language``, else in ``fallback`` (usually the default language), else any."""
    if not texts:
        return ""
    if language is not None and texts.get(language):
        return texts[language]
    if fallback is not None and texts.get(fallback):
        return texts[fallback]
    return next((t for t in texts.values() if t), "")


@dataclass(eq=False)
class Node:
    """Common part of fields, groups and repeats.

    ``row`` is the survey sheet row (as Excel shows it) that declared the node. ``repeat`` is the
    innermost enclosing repeat (None at top level); ``parent`` the enclosing group or repeat
    (None for the root group).
    """

    name: str
    type: str
    row: int
    label: Texts = field(default_factory=dict)
    hint: Texts = field(default_factory=dict)
    relevant: Expr | None = None
    appearance: frozenset[str] = frozenset()
    parent: Group | None = field(default=None, repr=False)
    repeat: Repeat | None = field(default=None, repr=False)
    source: dict[str, str] = field(default_factory=dict, repr=False)
    """Raw expression texts by column ("relevant", "calculation", ...), for display and errors."""

    @property
    def depth(self) -> int:
        """Number of enclosing repeats (0 for top-level nodes)."""
        d, r = 0, self.repeat
        while r is not None:
            d, r = d + 1, r.repeat
        return d

    def ancestors(self) -> Iterator[Group]:
        """Enclosing groups and repeats, innermost first (the root group last)."""
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


@dataclass(eq=False)
class Field(Node):
    """A question, note or calculated value.

    ``type`` is one of :data:`FIELD_TYPES`. For selects ``list_name`` names the choice list, or
    ``from_file`` the registry CSV (e.g. "households.csv"). ``once`` marks a calculation or
    default wrapped in once(): it is computed only while the value is empty.
    """

    list_name: str | None = None
    from_file: str | None = None
    or_other: bool = False
    required: Expr | None = None
    required_message: Texts = field(default_factory=dict)
    constraint: Expr | None = None
    constraint_message: Texts = field(default_factory=dict)
    calculation: Expr | None = None
    once: bool = False
    trigger: tuple[str, ...] = ()
    """The questions (``trigger`` column) whose change sets this field, as ODK's setvalue on
    xforms-value-changed: the field stays a question the member may edit (or a hidden value),
    its ``calculation`` becomes :attr:`trigger_value`, evaluated only at that moment."""
    trigger_value: Expr | None = None
    default: str | None = None
    default_expr: Expr | None = None
    """Set when the default is a dynamic expression (ODK allows e.g. today()); else None."""
    choice_filter: Expr | None = None
    read_only: Expr | None = None
    save_to: str | None = None
    """Entity property this field saves to (the ``save_to`` column, without the dataset#)."""
    save_to_dataset: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    """The parameters column (range start/end/step, select-from-file value/label, max-pixels)."""
    instance: str | None = None
    """For select_*_from_file with a file shipped with the form, and select_one_external: the
    secondary instance (:attr:`Form.instances`) the choices come from."""
    source_name: str = ""
    """The name in the workbook when it differs from ``name`` (a name used again in another
    group is given a unique ``name`` inside the engine)."""

    @property
    def is_input(self) -> bool:
        """True for fields the user answers (not note, calculate, hidden or metadata)."""
        return self.type not in ("note", "calculate", "hidden") and not self.is_metadata

    @property
    def is_metadata(self) -> bool:
        return self.type in METADATA_TYPES

    @property
    def is_attachment(self) -> bool:
        return self.type in ATTACHMENT_TYPES

    @property
    def is_select(self) -> bool:
        return self.type in SELECT_TYPES


@dataclass(eq=False)
class Group(Node):
    """A group of nodes; the form's root is a Group named after the form with type "survey"."""

    children: list[Node] = field(default_factory=list)

    @property
    def field_list(self) -> bool:
        """True when the whole group is shown on one page (appearance field-list)."""
        return "field-list" in self.appearance

    def walk(self) -> Iterator[Node]:
        """Every descendant node in document order (depth first), excluding self."""
        for child in self.children:
            yield child
            if isinstance(child, Group):
                yield from child.walk()

    def fields(self) -> Iterator[Field]:
        """Descendant fields in document order, including those inside nested repeats."""
        for node in self.walk():
            if isinstance(node, Field):
                yield node


@dataclass(eq=False)
class Repeat(Group):
    """A repeated group (one row per household member, ...).

    With ``repeat_count`` the number of rows follows that expression; without it the user adds
    and removes rows. A label with ${references} is interpolated per row for the row titles.
    """

    repeat_count: Expr | None = None


@dataclass(frozen=True)
class Choice:
    """One option of a choice list; ``extra`` holds the other columns (choice_filter keys)."""

    name: str
    label: Texts
    row: int
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ChoiceList:
    name: str
    choices: list[Choice]
    row: int

    def by_name(self, name: str) -> Choice | None:
        return next((c for c in self.choices if c.name == name), None)


@dataclass
class EntityDeclaration:
    """An entry of the ``entities`` sheet (ODK Entities), allocated to a container.

    ``repeat`` is the repeat whose rows each produce one entity (None: the form produces one).
    ``properties`` maps entity property -> field name (from the survey's save_to column).
    Without ``entity_id`` the declaration always creates (or when ``create_if`` holds); with it,
    it updates (when ``update_if`` holds, and creates when ``create_if`` holds).
    """

    dataset: str
    row: int
    label: Expr | None = None
    entity_id: Expr | None = None
    create_if: Expr | None = None
    update_if: Expr | None = None
    repeat: Repeat | None = None
    properties: dict[str, str] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(eq=False)
class Form:
    """A loaded, checked form definition. Treat it as read-only; it is shared by instances."""

    form_id: str
    version: str
    title: Texts
    default_language: str
    languages: list[str]
    root: Group
    fields: dict[str, Field]
    """Every field by name (names are unique across the form)."""
    nodes: dict[str, Node]
    """Every field, group and repeat by name."""
    choice_lists: dict[str, ChoiceList]
    entities: list[EntityDeclaration]
    source_label: str = ""
    calculation_order: list[Field] = field(default_factory=list, repr=False)
    """Calculated fields (and fields with dynamic defaults) in dependency order."""
    evaluation_order: list[Node] = field(default_factory=list, repr=False)
    """Every node, each after the nodes its relevance, value and repeat count depend on."""
    instances: dict[str, Any] = field(default_factory=dict, repr=False)
    """Secondary instances by id (``instance('id')``): the CSV, XML and GeoJSON files shipped
    with the form, and every choice list of the workbook under its list name as pyxform
    writes it (a file of the same name wins): :class:`fieldapp.core.xpath.instances.Element`
    trees."""
    media: dict[str, str] = field(default_factory=dict, repr=False)
    """{file name: SHA-256} of the files shipped with the form that it uses."""
    uses_last_saved: bool = False
    """True when an expression reads ``${last-saved#name}`` (this laptop's last submission)."""
    warnings: list[Any] = field(default_factory=list, repr=False)
    """:class:`~fieldapp.core.forms.problems.FormProblem` items for what loads but will not
    work as its author meant, or not in ODK Collect (listed by ``fieldapp forms check``)."""

    @property
    def language_codes(self) -> dict[str, str]:
        """{language name: ISO code}, e.g. {"Vietnamese (vi)": "vi"}."""
        return {lang: language_code(lang) for lang in self.languages}

    def language_for_code(self, code: str) -> str | None:
        """The XLSForm language name for an ISO code ("vi" -> "Vietnamese (vi)"), if present."""
        return next((lang for lang in self.languages if language_code(lang) == code), None)

    def text(self, texts: Texts, language: str | None = None) -> str:
        """``texts`` in ``language`` (a language name, or an ISO code such as "en") with
        fallback to the default language, then to any language given."""
        if language is not None and language not in texts:
            language = self.language_for_code(language) or language
        return pick_text(texts, language, self.default_language)

    def title_in(self, language: str | None = None) -> str:
        return self.text(self.title, language) or self.form_id

    @property
    def repeats(self) -> list[Repeat]:
        return [n for n in self.root.walk() if isinstance(n, Repeat)]

    @property
    def sections(self) -> list[Node]:
        """Top-level nodes used as jump targets (groups and repeats; loose questions too)."""
        return list(self.root.children)
