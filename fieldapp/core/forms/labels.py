"""The texts of a form as a person reads them: from the form itself, or a label pack beside Vietnamese.

Shared by the form screen and the printed questionnaire; it returns plain data (:class:`Text`)
and leaves fonts, colours and layout to them.

:class:`LabelSource` shows the form in one of its languages. :class:`PackLabelSource` resolves
every label, hint, choice, title and message through
:class:`fieldapp.i18n.resolution.LabelResolver` (pack -> the form's own column -> Vietnamese,
marked as fallen back) and arranges them for the chosen
:class:`~fieldapp.i18n.resolution.DisplayMode`: pack text first with the Vietnamese beneath
(bilingual), the pack alone, or Vietnamese alone.

Pack texts keep ``${references}``; they are filled in here from the row the text belongs to,
the same way the engine fills in the form's own labels.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from fieldapp.core.forms.answers import ROW_SEGMENT_RE, node_name
from fieldapp.core.forms.instance import FormInstance
from fieldapp.core.forms.model import (
    TEXT_REF_RE, Choice, Field, Form, Group, Node, Repeat, strip_refs)
from fieldapp.core.forms.pages import Page
from fieldapp.i18n.catalog import _
from fieldapp.i18n.languages import language_code
from fieldapp.i18n.packs import choice_path, node_path, pack_key
from fieldapp.i18n.resolution import DisplayMode, LabelResolver, Resolved

__all__ = ["FALLBACK_MARK", "UNREVIEWED_MARK", "LabelSource", "PackLabelSource", "Text"]

FALLBACK_MARK = "\u21a9"  # ↩ shown where a pack label fell back to Vietnamese
UNREVIEWED_MARK = "\u00b0"  # ° after a pack label no native speaker has reviewed yet


@dataclass(frozen=True)
class Text:
    """A text to show or print: ``primary`` (large), optional ``secondary`` beneath it (the
    Vietnamese under a label-pack text), in ``language`` (the ISO code of ``primary``; '' when
    not known, e.g. an interface message).

    ``fell_back``: the pack had no text, so Vietnamese is shown (marked with
    :data:`FALLBACK_MARK`). ``unreviewed``: the pack text is a draft no native speaker has
    reviewed (marked with :data:`UNREVIEWED_MARK`). ``note`` explains either in a sentence.
    """

    primary: str
    secondary: str = ""
    fell_back: bool = False
    unreviewed: bool = False
    note: str = ""
    language: str = ""
    inherited: bool = False
    """The text is the parent pack's, the chosen pack having none ("Tày — no Nùng text yet":
    ``note``)."""
    prompt: str = ""
    """The pack entry whose recording reads this text aloud, if it has one (its key, see
    fieldapp.i18n.packs.pack_key); '' where no pack text is shown."""

    @property
    def plain(self) -> str:
        return f"{self.primary}\n{self.secondary}" if self.secondary else self.primary

    @property
    def status(self) -> str:
        """The review status in a word ("unreviewed"), '' when there is nothing to say."""
        return _("unreviewed") if self.unreviewed else ""


def _has_words_to_review(resolved: Resolved) -> bool:
    """False for a pack text with nothing a reviewer could change: only ${references} (a
    person's name and age as a row title) or the Vietnamese text itself (a name, a number, a
    brand such as Zalo). Such texts carry no review mark: a mark after a name reads as a
    glitch, not as a status."""
    words = strip_refs(resolved.text).strip(" ,;:-–()./")
    return bool(words) and resolved.text != resolved.vietnamese


class LabelSource:
    """The form's own texts in one of its languages (Vietnamese by default)."""

    pack_lang: str | None = None
    mode: DisplayMode = DisplayMode.VIETNAMESE_ONLY

    def __init__(self, form: Form, instance: FormInstance, language: str | None = None):
        self.form = form
        self.instance = instance
        self.language = language or form.default_language

    def _own(self, text: str) -> Text:
        """A text of the form in the language shown."""
        return Text(text, language=language_code(self.language))

    def label(self, path: str) -> Text:
        return self._own(self.instance.label(path, self.language))

    def hint(self, path: str) -> Text:
        return self._own(self.instance.hint(path, self.language))

    def choice(self, path: str, choice: Choice) -> Text:
        text = self.form.text(choice.label, self.language) or choice.name
        return self._own(self.instance.choice_text(path, text, choice.name))

    def page_title(self, page: Page) -> Text:
        return self._own(page.title)

    def row_title(self, page: Page) -> Text:
        return self._own(page.row_title)

    def row_title_for(self, row_path: str, engine_title: str) -> Text:
        return self._own(engine_title)

    def section_title(self, name: str, title: str) -> str:
        return title

    def error(self, path: str, message: str) -> Text:
        return Text(message)

    def form_title(self) -> Text:
        return self._own(self.form.title_in(self.language))

    def repeat_name(self, container_path: str) -> Text:
        """The repeat's label without its ${references} ("Thành viên")."""
        node = self._naming_node(self.form.nodes.get(node_name(container_path)))
        text = self.form.text(node.label, self.language) if node is not None else ""
        return self._own(strip_refs(text) or _("entry"))

    def _naming_node(self, node: Node | None) -> Node | None:
        """The repeat, or its enclosing group when the repeat's label holds only ${references}
        (a label like "${member_label}" titles the rows, the group names the roster)."""
        if (node is not None and not strip_refs(self.form.text(node.label, self.language)).strip()
                and node.parent is not None and node.parent.label
                and node.parent is not self.form.root):
            return node.parent
        return node


class PackLabelSource(LabelSource):
    """Texts from a label pack for ``resolver.pack_lang``, arranged as ``mode`` asks."""

    def __init__(self, form: Form, instance: FormInstance, resolver: LabelResolver,
                 mode: DisplayMode = DisplayMode.BILINGUAL):
        super().__init__(form, instance, form.language_for_code("vi") or form.default_language)
        self.resolver = resolver
        self.pack_lang = resolver.pack_lang
        self.mode = mode

    # -- helpers -------------------------------------------------------------------------------
    def _text(self, resolved: Resolved, context_path: str | None = None,
              *, strip: bool = False) -> Text:
        main, beneath = resolved.lines(self.mode)
        if strip:
            main, beneath = strip_refs(main), strip_refs(beneath) if beneath else beneath
        elif context_path is not None:
            main = self.interpolate(main, context_path)
            beneath = self.interpolate(beneath, context_path) if beneath else beneath
        shows_pack = self.mode is not DisplayMode.VIETNAMESE_ONLY
        fell_back = resolved.fell_back and shows_pack
        unreviewed = (resolved.fuzzy and shows_pack and not fell_back
                      and _has_words_to_review(resolved))
        note = resolved.status_text() if shows_pack else ""
        return Text(main, beneath or "", fell_back, unreviewed, note,
                    resolved.main_language(self.mode),
                    bool(resolved.inherited_from) and shows_pack)

    def _with_prompt(self, text: Text, path: str) -> Text:
        """``text`` naming the pack entry whose recording reads it (pack texts shown only)."""
        if self.mode is DisplayMode.VIETNAMESE_ONLY:
            return text
        return dataclasses.replace(text, prompt=pack_key(self.form.form_id, path, "label"))

    def interpolate(self, text: str, context_path: str) -> str:
        """Fill in ${name} as seen from ``context_path`` (a field or repeat-row path)."""
        if "${" not in text:
            return text
        return TEXT_REF_RE.sub(lambda m: self._ref_value(m.group(1).strip(), context_path), text)

    def _ref_value(self, name: str, context_path: str) -> str:
        node = self.form.nodes.get(name)
        if not isinstance(node, Field):
            return ""
        chain = []
        repeat = node.repeat
        while repeat is not None:
            chain.append(repeat.name)
            repeat = repeat.repeat
        chain.reverse()
        segments = context_path.split("/")
        prefix = []
        for repeat_name in chain:
            segment = next((s for s in segments if node_name(s) == repeat_name and "[" in s), None)
            if segment is None:
                return ""  # a value from rows the text is not in: not shown in a label
            prefix.append(segment)
        path = "/".join(prefix + [name])
        try:
            return self.instance.get_value(path)
        except KeyError:
            return ""

    def _node(self, path: str) -> Node | None:
        return self.form.nodes.get(node_name(path))

    # -- LabelSource -----------------------------------------------------------------------------
    def label(self, path: str) -> Text:
        node = self._node(path)
        if node is None or not node.label:
            return super().label(path)
        return self._with_prompt(self._text(self.resolver.resolve_node(node, "label"), path),
                                 node_path(node))

    def hint(self, path: str) -> Text:
        node = self._node(path)
        if node is None or not node.hint:
            return Text("")
        return self._text(self.resolver.resolve_node(node, "hint"), path)

    def choice(self, path: str, choice: Choice) -> Text:
        field = self.instance.field_at(path)
        if field.from_file is not None or not field.list_name or \
                field.list_name not in self.form.choice_lists:
            return super().choice(path, choice)  # registry rows: names, not translated
        text = self._with_prompt(self._text(self.resolver.resolve_choice(field.list_name, choice)),
                                 choice_path(field.list_name, choice.name))
        return dataclasses.replace(
            text, primary=self.instance.choice_text(path, text.primary, choice.name),
            secondary=self.instance.choice_text(path, text.secondary, choice.name))

    def page_title(self, page: Page) -> Text:
        if not page.title:
            return Text("")
        if page.add_row:
            return self.repeat_name(page.add_row)
        node = self._node(page.key)
        if not isinstance(node, Group) or not node.label:
            return self._own(page.title)
        return self._text(self.resolver.resolve_node(node, "label"), page.key)

    def row_title(self, page: Page) -> Text:
        if not page.repeat_path:
            return self._own(page.row_title)
        return self.row_title_for(page.repeat_path, page.row_title)

    def row_title_for(self, row_path: str, engine_title: str) -> Text:
        """"2. <pack label of the row>" with the engine's (Vietnamese) title beneath."""
        node = self._node(row_path)
        number = int(ROW_SEGMENT_RE.match(row_path.rsplit("/", 1)[-1]).group(2)) + 1
        if not isinstance(node, Repeat) or "${" not in self.form.text(node.label):
            return self._own(engine_title)
        text = self._text(self.resolver.resolve_node(node, "label"), row_path)
        if not strip_refs(text.primary) and text.primary.strip(" ,;:-–()") == "":
            return self._own(engine_title)
        main = f"{number}. {text.primary.strip(' ,;:-–')}"
        beneath = engine_title if text.secondary else ""
        return dataclasses.replace(text, primary=main, secondary=beneath)

    def section_title(self, name: str, title: str) -> str:
        node = self.form.nodes.get(name)
        if node is None or not node.label:
            return title
        main, _beneath = self.resolver.resolve_node(node, "label").lines(self.mode)
        return strip_refs(main) if isinstance(node, Repeat) or "${" in main else main

    def error(self, path: str, message: str) -> Text:
        """The pack's version of a required/constraint message the engine gave in Vietnamese."""
        node = self._node(path)
        if node is None:
            return Text(message)
        vi = self.language
        for column in ("constraint_message", "required_message"):
            texts = getattr(node, column, None) or {}
            if texts and self.form.text(texts, vi) == message:
                return self._text(self.resolver.resolve_node(node, column), path)
        return Text(message)

    def form_title(self) -> Text:
        return self._text(self.resolver.resolve_title(self.form))

    def repeat_name(self, container_path: str) -> Text:
        node = self._naming_node(self._node(container_path))
        if node is None or not node.label:
            return super().repeat_name(container_path)
        return self._text(self.resolver.resolve_node(node, "label"), strip=True)
