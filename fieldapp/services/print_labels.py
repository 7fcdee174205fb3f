"""A form's texts for printing: Vietnamese, or a label pack's text with the Vietnamese beneath.

The same resolution as the form screen (fieldapp.i18n.resolution.LabelResolver: the pack ->
the form's own column in that language -> Vietnamese), Qt-free, giving
:class:`fieldapp.reports.pdf.Label` values. A language without a pack prints in Vietnamese and
:attr:`PrintLabels.note` says so.
"""

from __future__ import annotations

import dataclasses
import re

from fieldapp.core.forms import Form
from fieldapp.core.forms.model import TEXT_REF_RE, Choice, Node
from fieldapp.i18n.catalog import _
from fieldapp.i18n.pack_languages import PACK_LANGUAGES, split_pack_code
from fieldapp.i18n.packs import available_languages
from fieldapp.i18n.resolution import DisplayMode, LabelResolver, Resolved
from fieldapp.reports.pdf import Label

VIETNAMESE = "vi"
PLACEHOLDER = "…"


def blank_refs(text: str) -> str:
    """``${member_name} có dùng ...`` -> ``… có dùng ...``: on paper the member says the name."""
    return " ".join(TEXT_REF_RE.sub(PLACEHOLDER, text).split())
_CODE_PREFIX = re.compile(r"^\s*[A-Za-z]\d+\.\s*")


def language_name(code: str) -> str:
    if code == VIETNAMESE:
        return _("Vietnamese")
    language = PACK_LANGUAGES.get(split_pack_code(code)[0])
    return _(language.name) if language else code


def print_languages() -> list[str]:
    """Vietnamese and every label pack installed (shipped or imported)."""
    return [VIETNAMESE] + available_languages()


def _has_words(text: str) -> bool:
    """A text worth marking as not translated (not only a reference, a number or a name)."""
    return any(ch.isalpha() for ch in TEXT_REF_RE.sub("", text or ""))


class PrintLabels:
    """Texts of ``form`` in ``language`` ("vi", a pack code such as "tyz", or None);
    ``overlay``: the database's label pack entries (fieldapp.services.translate), first."""

    def __init__(self, form: Form, language: str | None, overlay=None):
        self.form = form
        self.language = language or VIETNAMESE
        self.vi = form.language_for_code(VIETNAMESE) or form.default_language
        self.resolver: LabelResolver | None = None
        self.note = ""
        if self.language != VIETNAMESE:
            resolver = LabelResolver.for_form(form, self.language, overlay=overlay)
            if resolver.pack is None:
                self.note = _("No label pack for “{language}”: printed in Vietnamese.").format(
                    language=self.language)
            else:
                self.resolver = resolver
                self.note = _("Labels in {language} with the Vietnamese beneath.").format(
                    language=language_name(self.language))

    @property
    def bilingual(self) -> bool:
        return self.resolver is not None

    def _label(self, resolved: Resolved, strip: bool) -> Label:
        main, beneath = resolved.lines(DisplayMode.BILINGUAL)
        if strip:
            main, beneath = blank_refs(main), blank_refs(beneath) if beneath else beneath
        unreviewed = resolved.fuzzy and not resolved.fell_back and bool(beneath)
        return Label(main, beneath or "", unreviewed, bool(resolved.inherited_from),
                     resolved.fell_back and _has_words(resolved.vietnamese))

    def node(self, node: Node, column: str = "label", *, strip: bool = False) -> Label:
        texts = getattr(node, column, None) or {}
        if self.resolver is None:
            value = self.form.text(texts, self.vi)
            return Label(blank_refs(value) if strip else value)
        return self._label(self.resolver.resolve_node(node, column), strip)

    def field(self, name: str, *, strip_code: bool = False) -> Label:
        node = self.form.fields.get(name)
        if node is None:
            return Label(name)
        label = self.node(node)
        if strip_code:
            label = dataclasses.replace(label, primary=_CODE_PREFIX.sub("", label.primary),
                                        secondary=_CODE_PREFIX.sub("", label.secondary))
        return label

    def choice(self, list_name: str, choice: Choice) -> Label:
        if self.resolver is None:
            return Label(self.form.text(choice.label, self.vi) or choice.name)
        return self._label(self.resolver.resolve_choice(list_name, choice), False)

    def choices(self, list_name: str) -> list[tuple[str, Label]]:
        found = self.form.choice_lists.get(list_name)
        return [(c.name, self.choice(list_name, c)) for c in found.choices] if found else []

    def title(self) -> Label:
        if self.resolver is None:
            return Label(self.form.title_in(self.vi))
        return self._label(self.resolver.resolve_title(self.form), False)
