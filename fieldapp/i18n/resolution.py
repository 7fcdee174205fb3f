"""Label resolution: which text to show for one cell of a form when a label pack is chosen.

Order (:class:`LabelResolver`): chosen pack -> the form's own ``label::<language>`` column ->
Vietnamese, with ``fell_back`` set when Vietnamese had to be used and ``fuzzy`` when the pack
entry is not reviewed. :class:`Resolved` is plain data; laying it out (bilingual, pack only,
Vietnamese only: :class:`DisplayMode`) is left to the screen or the printed page.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from fieldapp.i18n.catalog import _
from fieldapp.i18n.languages import SOURCE_LANGUAGE, texts_by_code
from fieldapp.i18n.pack_languages import pack_language_name
from fieldapp.i18n.packs import (
    TITLE_COLUMN,
    TITLE_PATH,
    Overlay,
    PackCatalog,
    TranslatableChoice,
    TranslatableForm,
    TranslatableNode,
    choice_path,
    load_pack,
    node_path,
    pack_key,
)
from fieldapp.i18n.text import nfc


class DisplayMode(enum.Enum):
    """How a form is shown when a pack is chosen (the UI renders; the app remembers the choice)."""

    BILINGUAL = "bilingual"
    """Pack label large, Vietnamese smaller beneath (the default when a pack is chosen)."""
    PACK_ONLY = "pack_only"
    VIETNAMESE_ONLY = "vietnamese_only"


DEFAULT_DISPLAY_MODE = DisplayMode.BILINGUAL


class Source(enum.Enum):
    PACK = "pack"
    FORM_COLUMN = "form_column"
    VIETNAMESE = "vietnamese"


@dataclass(frozen=True)
class Resolved:
    """A resolved text: what to show, in which language, and how it was found."""

    text: str
    lang_used: str
    fell_back: bool
    """True when the chosen language had no text and Vietnamese is shown instead."""
    fuzzy: bool
    """True when the text comes from a pack entry no native speaker has reviewed."""
    vietnamese: str
    source: Source = Source.VIETNAMESE
    stale: bool = False
    """The pack entry translates an older Vietnamese text (the form changed; run update)."""
    inherited_from: str = ""
    """The parent pack whose text is shown because the chosen pack has none of its own (Nùng
    shows Tày): its code, '' when the text is the chosen pack's own."""
    pack_lang: str = ""
    """The pack that was chosen (the one a reader expects)."""

    def lines(self, mode: DisplayMode) -> tuple[str, str | None]:
        """(main text, smaller text beneath or None) for a display mode."""
        if self._vietnamese_only(mode):
            return self.vietnamese, None
        if mode is DisplayMode.PACK_ONLY:
            return self.text, None
        return self.text, (self.vietnamese if self.vietnamese != self.text else None)

    def main_language(self, mode: DisplayMode) -> str:
        """The language code of the main text for a display mode (the text beneath, if any, is
        Vietnamese)."""
        return SOURCE_LANGUAGE if self._vietnamese_only(mode) else self.lang_used

    def _vietnamese_only(self, mode: DisplayMode) -> bool:
        return (mode is DisplayMode.VIETNAMESE_ONLY or self.fell_back
                or self.lang_used == SOURCE_LANGUAGE)

    def status_text(self) -> str:
        """A short user-facing note on the label's status ('' when there is nothing to say)."""
        if self.fell_back:
            return _("No translation yet: shown in Vietnamese")
        if self.inherited_from:
            return inherited_note(self.inherited_from, self.pack_lang)
        if self.fuzzy:
            return _("Translation not yet reviewed by a native speaker")
        return ""


def inherited_note(parent: str, chosen: str) -> str:
    """"Tày — no Nùng text yet": a text shown from the parent pack, said as such."""
    return _("{parent} — no {language} text yet").format(
        parent=pack_language_name(parent), language=pack_language_name(chosen))


class LabelResolver:
    """Resolve a form's texts for one chosen language (``pack_lang``; None: Vietnamese).

    Order: the chosen pack's entry (imported, then shipped; fuzzy entries are shown, flagged) ->
    the form's own column in that language (``label::Tày (tyz)``) -> Vietnamese, marked
    ``fell_back``. The chain is explicit rather than a gettext Translations chain because the
    screen must know where each text came from and whether it was reviewed.
    """

    def __init__(self, form_id: str, pack_lang: str | None, pack: PackCatalog | None = None):
        self.form_id = form_id
        self.pack_lang = pack_lang or None
        self.pack = pack

    @classmethod
    def for_form(cls, form: TranslatableForm, pack_lang: str | None, *,
                 shipped: Path | None = None, imported: Path | None = None,
                 overlay: Overlay | None = None) -> LabelResolver:
        """``overlay``: the database's entries, before the pack files (see load_pack)."""
        pack = load_pack(pack_lang, form.form_id, shipped=shipped, imported=imported,
                         overlay=overlay) if pack_lang and pack_lang != SOURCE_LANGUAGE else None
        return cls(form.form_id, pack_lang, pack)

    def resolve(self, path: str, column: str, texts: dict[str, str]) -> Resolved:
        """Resolve one cell; ``texts`` is the form's text of that cell by language code."""
        vietnamese = nfc(texts.get(SOURCE_LANGUAGE) or next((t for t in texts.values() if t), ""))
        lang = self.pack_lang
        if not lang or lang == SOURCE_LANGUAGE:
            return Resolved(vietnamese, SOURCE_LANGUAGE, False, False, vietnamese)
        if self.pack is not None:
            found = self.pack.find(pack_key(self.form_id, path, column))
            if found is not None:
                entry, holder = found
                stale = entry.msgid != vietnamese
                inherited = holder.language if holder.language not in (lang, "") else ""
                return Resolved(entry.msgstr, holder.language if inherited else lang, False,
                                entry.fuzzy or stale, vietnamese, Source.PACK, stale,
                                inherited, lang)
        inline = texts.get(lang)
        if inline:
            return Resolved(nfc(inline), lang, False, False, vietnamese, Source.FORM_COLUMN)
        return Resolved(vietnamese, SOURCE_LANGUAGE, True, False, vietnamese)

    def resolve_node(self, node: TranslatableNode, column: str = "label") -> Resolved:
        """Resolve a field's, group's or repeat's label/hint/message (a model node)."""
        texts = getattr(node, column, None) or {}
        return self.resolve(node_path(node), column, texts_by_code(texts))

    def resolve_choice(self, list_name: str, choice: TranslatableChoice) -> Resolved:
        return self.resolve(choice_path(list_name, choice.name), "label",
                            texts_by_code(choice.label))

    def resolve_title(self, form: TranslatableForm) -> Resolved:
        return self.resolve(TITLE_PATH, TITLE_COLUMN, texts_by_code(form.title))
