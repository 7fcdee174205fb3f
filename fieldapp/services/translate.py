"""Reviewing label packs in the app: the Translate screen's and the survey's use cases.

A team member marked translator by commune staff (``users.translator``; commune staff may
always) edits a pack's entries where they work; each edit is a synced record
(fieldapp.core.pack_entries) that reaches every laptop of every commune of the province. What a
laptop shows for a text of a pack, in order: its database's entry, the commune's imported .po
file, the shipped .po file, then the same for the parent pack (Nùng: Tày), then Vietnamese
(fieldapp.i18n.packs.load_pack with :meth:`Translations.overlay`).

:meth:`Translations.rows` lists one form's texts for one pack as the screen shows them (source,
where it appears, current text, status and who reviewed it when, the glossary terms it holds,
its recording, a conflict between two reviewers, a spelling of the other Dao script);
:meth:`save`, :meth:`accept`, :meth:`set_prompt` write; :meth:`conflicts` and :meth:`resolve`
handle two reviewers' different texts. Exporting and importing .po files for Poedit, and the
coverage figures, are in fieldapp.services.translate_po.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldapp.core.clock import utc_now_iso
from fieldapp.core.pack_entries import (
    DRAFT, MISSING, REVIEWED, entry_id, status_of, text_problem)
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import N_, _
from fieldapp.i18n.glossary import GlossaryTerm, _contains, load_glossary
from fieldapp.i18n.pack_languages import PACK_LANGUAGES, pack_code, parent_pack
from fieldapp.i18n.packs import PackCatalog, PackEntry, form_texts, load_pack
from fieldapp.i18n.spelling import other_spelling
from fieldapp.i18n.text import nfc

if TYPE_CHECKING:
    from fieldapp.audio.codec import Prompt
    from fieldapp.services.workspace import Workspace

WHERE = {"question": N_("Question"), "choice": N_("Choice"), "hint": N_("Hint"),
         "consent": N_("Consent"), "message": N_("Message"), "title": N_("Form title"),
         "section": N_("Section"), "note": N_("Note")}
ENTRY_ID = entry_id


def all_packs() -> list[str]:
    """Every pack the app knows (each language in each of its scripts): what can be
    translated, whether or not anything is written yet."""
    return [pack_code(lang.code, script) for lang in PACK_LANGUAGES.values()
            for script in lang.scripts]


@dataclass(frozen=True)
class EntryRow:
    """One text of a form in one pack, as the Translate screen shows it."""

    key: str
    form_id: str
    path: str
    column: str
    where: str
    """What the text is (WHERE's keys): question, choice, hint, consent..."""
    source: str
    text: str
    """The text shown for the pack now ('' when missing)."""
    status: str
    """MISSING, DRAFT or REVIEWED."""
    origin: str = ""
    """"entry" (a synced record), "file" (a .po file shipped or imported), "parent" (the parent
    pack's text shown instead), '' (missing)."""
    inherited_from: str = ""
    reviewer: str = ""
    reviewer_commune: str = ""
    reviewed_at: str = ""
    comment: str = ""
    terms: tuple[GlossaryTerm, ...] = ()
    audio_ms: int | None = None
    audio_from: str = ""
    """"entry", "parent" or "form" (the form's own media::audio file) when a prompt plays."""
    conflict: bool = False
    stale: bool = False
    """The text translates an older Vietnamese text (the form changed since)."""
    spelling: str = ""
    """Why the text's letters belong to the other Dao spelling ('' when they do not)."""
    key_indicator: bool = False


@dataclass
class ConflictView:
    pack: str
    key: str
    field: str
    record: str
    values: list[Any] = field(default_factory=list)
    """fieldapp.services.sync.review.ConflictValue, newest first; the winner is shown meanwhile."""


class Translations:
    def __init__(self, workspace: "Workspace"):
        self.workspace = workspace
        self.store = workspace.store
        self._key_fields: set[str] | None = None

    # -- who may ------------------------------------------------------------------------------
    def can_translate(self) -> bool:
        """Whether the signed-in member may edit packs: marked translator, or commune staff
        (on a plain database without a sign-in: yes, as everything there)."""
        return self.workspace.access.may_translate()

    def _require(self) -> None:
        if not self.can_translate():
            raise UserError(_("Only team members marked as translators (Team) may edit label "
                              "packs."))

    def set_translator(self, user_id: str, on: bool) -> None:
        """(commune staff) Mark a team member as translator, or no longer."""
        self.workspace.access.require_staff()
        user = self.store.users.get(user_id)
        if user is None or user["deleted"]:
            raise UserError(_("There is no team member {id}.").format(id=user_id))
        with self.store.transaction():
            self.store.users.update(user_id, {"translator": 1 if on else 0})
            self.workspace.audit.record("translator_changed", object_table="users",
                                        object_id=user_id, detail={"translator": bool(on)})

    # -- reading ------------------------------------------------------------------------------
    def overlay(self, pack: str, form_id: str) -> PackCatalog | None:
        """The database's entries of (pack, form) as a catalog, for load_pack."""
        return overlay_of(self.store)(pack, form_id)

    def resolver(self, form, pack: str | None):
        from fieldapp.i18n.resolution import LabelResolver

        return LabelResolver.for_form(form, pack, overlay=self.overlay)

    def forms(self) -> list:
        catalog = self.workspace.surveys.catalog
        return sorted((catalog.current(i.form_id)[1] for i in catalog.infos()),
                      key=lambda f: f.form_id)

    def form(self, form_id: str):
        return self.workspace.surveys.catalog.current(form_id)[1]

    def rows(self, pack: str, form_id: str) -> list[EntryRow]:
        form = self.form(form_id)
        records = {r["key"]: r for r in self.store.pack_entries.of_form(pack, form_id)}
        files = load_pack(pack, form_id)  # without the database: what the files say
        glossary = _glossary(pack)
        parent = parent_pack(pack)
        parent_records = {r["key"]: r for r in self.store.pack_entries.of_form(parent, form_id)
                          } if parent else {}
        parent_chain = load_pack(parent, form_id, overlay=self.overlay) if parent else None
        conflicted = self._conflicted()
        out = []
        for text in form_texts(form):
            rec = records.get(text.key)
            row = dict(text="", status=MISSING, origin="")
            if rec is not None and rec["text"]:
                row = dict(text=rec["text"], status=status_of(rec), origin="entry",
                           reviewer=rec["reviewer"] or "", reviewer_commune=rec[
                               "reviewer_commune"] or "", reviewed_at=rec["reviewed_at"] or "",
                           comment=rec["comment"] or "", stale=rec["source"] != text.source)
            else:
                found = files.find(text.key) if files is not None else None
                if found is not None and found[1].language == pack:
                    entry = found[0]
                    row = dict(text=entry.msgstr, origin="file",
                               status=DRAFT if entry.fuzzy else REVIEWED,
                               comment=" ".join(entry.translator_comments),
                               stale=entry.msgid != text.source)
                elif parent_chain is not None and parent_chain.lookup(text.key) is not None:
                    entry = parent_chain.lookup(text.key)
                    row = dict(text=entry.msgstr, origin="parent", status=MISSING,
                               inherited_from=parent)
            audio_ms, audio_from = None, ""
            if rec is not None and rec["audio_bytes"]:
                audio_ms, audio_from = rec["audio_ms"], "entry"
            elif parent_records.get(text.key, {}).get("audio_bytes"):
                audio_ms, audio_from = parent_records[text.key]["audio_ms"], "parent"
            terms = tuple(t for t in glossary if t.vietnamese and _contains(text.source,
                                                                           t.vietnamese))
            out.append(EntryRow(
                text.key, form_id, text.path, text.column, _where(form, text.path, text.column),
                text.source, terms=terms, audio_ms=audio_ms, audio_from=audio_from,
                conflict=entry_id(pack, text.key) in conflicted,
                spelling=other_spelling(pack, row["text"]) or "" if row["origin"] != "parent"
                else "", key_indicator=text.path.rsplit("/", 1)[-1] in self.key_fields(),
                **row))
        return out

    def key_fields(self) -> set[str]:
        """The fields the key indicators are read from (forms/indicators.toml)."""
        if self._key_fields is None:
            try:
                self._key_fields = _key_fields(self.workspace.surveys.catalog)
            except UserError:  # a broken indicators file must not close the screen
                self._key_fields = set()
        return self._key_fields

    def _conflicted(self) -> set[str]:
        return {r["rid"] for r in self.store.conflicts.list() if r["tbl"] == "pack_entries"}

    def prompt(self, pack: str, key: str, *, inherit: bool = True) -> bytes | None:
        """The recording of (pack, key): its own, else (``inherit``) its parent pack's."""
        code: str | None = pack
        while code:
            data = self.store.pack_entries.audio(code, key)
            if data:
                return data
            code = parent_pack(code) if inherit else None
        return None

    def prompt_keys(self, pack: str, form_id: str) -> dict[str, str]:
        """The texts of a form that have a recording: {key: the pack whose recording plays}
        (``pack`` or, as :meth:`prompt` plays it, its parent); one query per pack for a survey
        page's speaker buttons."""
        keys: dict[str, str] = {}
        code: str | None = pack
        while code:
            for key in self.store.pack_entries.audio_keys(code, form_id):
                keys.setdefault(key, code)
            code = parent_pack(code)
        return keys

    # -- writing ------------------------------------------------------------------------------
    def _source(self, form_id: str, key: str) -> str:
        form = self.form(form_id)
        for text in form_texts(form):
            if text.key == key:
                return text.source
        raise UserError(_("The form {form} has no text {key}.").format(form=form_id, key=key))

    def _reviewer(self) -> dict[str, Any]:
        user = self.workspace.current_user() or {}
        commune = self.store.commune() or {}
        return {"reviewer": user.get("name") or "", "reviewer_commune": commune.get("name") or "",
                "reviewed_at": utc_now_iso()}

    def save(self, pack: str, key: str, text: str, *, reviewed: bool = False,
             comment: str | None = None) -> EntryRow:
        """Write the text of (pack, key); ``reviewed``: a speaker checked it (the signed-in
        member, now). Refused with one sentence: markup or control characters, far too long,
        ${references} changed, letters of the other Dao spelling."""
        self._require()
        form_id = key.split(":", 1)[0]
        source = self._source(form_id, key)
        text = nfc(text or "").strip()
        problem = text_problem(text, source) or other_spelling(pack, text)
        if problem:
            raise UserError(problem)
        values: dict[str, Any] = {"text": text, "status": REVIEWED if reviewed and text
                                  else DRAFT}
        if reviewed and text:
            values.update(self._reviewer())
        if comment is not None:
            comment = nfc(comment).strip()
            if len(comment) > 2000:
                raise UserError(_("The comment is too long (at most 2,000 characters)."))
            values["comment"] = comment
        self.store.pack_entries.write(pack, key, source, values)
        return self.row(pack, key)

    def accept(self, pack: str, key: str) -> EntryRow:
        """Mark the text shown now as reviewed (a draft from a .po file becomes this pack's
        reviewed entry); a missing text cannot be accepted."""
        row = self.row(pack, key)
        if row.status == MISSING or row.origin == "parent":
            raise UserError(_("There is no {language} text to accept yet: write one first.")
                            .format(language=pack))
        return self.save(pack, key, row.text, reviewed=True,
                         comment=row.comment if row.origin == "file" else None)

    def set_prompt(self, pack: str, key: str, prompt: "Prompt") -> None:
        self._require()
        form_id = key.split(":", 1)[0]
        self.store.pack_entries.write(pack, key, self._source(form_id, key),
                                      {"audio": prompt.data, "audio_ms": prompt.milliseconds})

    def remove_prompt(self, pack: str, key: str) -> None:
        self._require()
        form_id = key.split(":", 1)[0]
        if self.store.pack_entries.of(pack, key) is not None:
            self.store.pack_entries.write(pack, key, self._source(form_id, key),
                                          {"audio": None, "audio_ms": None})

    def row(self, pack: str, key: str) -> EntryRow:
        form_id = key.split(":", 1)[0]
        return next(r for r in self.rows(pack, form_id) if r.key == key)

    # -- two reviewers ------------------------------------------------------------------------
    def conflicts(self, pack: str | None = None) -> list[ConflictView]:
        from fieldapp.services.sync.review import conflicts

        out = []
        for c in conflicts(self.store):
            if c.table != "pack_entries":
                continue
            record = self.store.pack_entries.get(c.record) or {}
            if pack is not None and record.get("pack") != pack:
                continue
            out.append(ConflictView(record.get("pack", ""), record.get("key", ""), c.field,
                                    c.record, list(c.values)))
        return out

    def resolve(self, record: str, field_name: str, stamp: str) -> None:
        """Keep one reviewer's value (a change like any other: it travels to every laptop)."""
        self._require()
        from fieldapp.services.sync.review import resolve_conflict

        resolve_conflict(self.store, "pack_entries", record, field_name, stamp)


def overlay_of(store):
    """load_pack's overlay for a database: its entries of (pack, form) as a catalog; None for
    no database (a blank questionnaire printed without one)."""
    if store is None:
        return None

    def overlay(pack: str, form_id: str) -> PackCatalog | None:
        return entries_catalog(pack, form_id, store.pack_entries.of_form(pack, form_id))

    return overlay


def entries_catalog(pack: str, form_id: str, rows) -> PackCatalog | None:
    """The database's entry records of (pack, form) as a catalog (None: no text among them);
    an entry not reviewed is fuzzy, as a draft in a .po file."""
    entries = {r["key"]: PackEntry(r["key"], r["source"], r["text"] or "",
                                   r["status"] != REVIEWED,
                                   (r["comment"],) if r["comment"] else ())
               for r in rows if r["text"]}
    return PackCatalog(pack, form_id, entries) if entries else None


def _key_fields(catalog) -> set[str]:
    """The questions the key indicators' answers are worked out from: each key indicator's
    answer field and, through the calculations it is made of, the questions asked."""
    from fieldapp.core.forms.model import TEXT_REF_RE
    from fieldapp.services.indicators import load_indicators

    indicators = load_indicators(catalog)
    form = catalog.current(indicators.form_id)[1]
    todo = [i.answer for i in indicators.indicators if i.key and i.answer]
    found: set[str] = set()
    while todo:
        name = todo.pop()
        if name in found or name not in form.nodes:
            continue
        found.add(name)
        calculation = getattr(form.nodes[name], "calculation", None)
        if calculation is not None:
            todo += [m.group(1).strip() for m in TEXT_REF_RE.finditer(str(
                getattr(calculation, "source", calculation)))]
    return found


def _glossary(pack: str) -> tuple[GlossaryTerm, ...]:
    try:
        glossary = load_glossary(pack)
    except Exception:  # a damaged glossary file: the screen works without its terms
        return ()
    return glossary.terms if glossary is not None else ()


def _where(form, path: str, column: str) -> str:
    if path == "settings":
        return "title"
    if path.startswith("choices/"):
        return "choice"
    if column == "hint":
        return "hint"
    if column in ("constraint_message", "required_message"):
        return "message"
    name = path.rsplit("/", 1)[-1]
    if "consent" in path or "purpose" in name:
        return "consent"
    node = form.nodes.get(name)
    if node is not None and getattr(node, "type", "") == "note":
        return "note"
    if node is not None and getattr(node, "children", None) is not None:
        return "section"
    return "question"
