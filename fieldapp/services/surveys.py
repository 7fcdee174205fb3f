"""Filling in forms: start, save a draft, finalize (updating the registry), reopen and edit.

Finalizing a household survey applies the form's entity declarations: the household and one
person per roster row are created, or updated when the survey was started from an existing
household (a later round). Every saved state stays in the submission history, and each round is
its own submission, so earlier rounds are never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

import uuid

from fieldapp.core.clock import new_id, utc_now_iso
from fieldapp.core.forms import Form, FormInstance
from fieldapp.core.forms.attachments import (
    Attachment, AttachmentProblem, check_size, make_attachment)
from fieldapp.errors import UserError, os_reason
from fieldapp.i18n.catalog import _
from fieldapp.services.forms import FormCatalog, FormInfo
from fieldapp.storage.store import Store
from fieldapp.storage.submissions import SubmissionRepository

# Registry columns an entity property maps to; other properties go to the JSON column.
_HOUSEHOLD_COLUMNS = {"head_name": "head_name", "village": "village_id",
                      "ethnicity": "ethnicity", "poor_status": "poor_status", "phone": "phone"}
_PERSON_COLUMNS = {"full_name": "full_name", "sex": "sex", "birth_year": "birth_year",
                   "relation": "relation", "ethnicity": "ethnicity"}
_DERIVED = {"persons": {"village", "household"}}  # follow from the household; not stored twice
# A later round confirms each person of the roster; "presence" says who has left since.
# It is not stored: a person who moved away or died leaves the registry (tombstoned with
# the reason), so the next round does not list them again.
_LEFT = {"moved": "moved away", "died": "died"}
# Registry records a finalized submission creates get ids derived from the submission (and for
# persons from the roster row's key), so two laptops finalizing the same submission, or the
# same laptop finalizing it again, never create two records for one household or person.
ENTITY_NAMESPACE = uuid.UUID("6d1e3c1c-2b0f-4f57-9a3e-9a0f3b5f2c41")


def entity_id_for(submission_id: str, what: str) -> str:
    return str(uuid.uuid5(ENTITY_NAMESPACE, f"{submission_id}/{what}"))


@dataclass(frozen=True)
class SaveRequest:
    """A save of a form, prepared where the form is filled in (see SurveyService)."""

    submission_id: str | None
    form_id: str
    form_version: str
    form_file: tuple[str, bytes] | None
    """(file name, workbook bytes) of the form version, kept with the submission."""
    answers: dict[str, Any]
    finalize: bool
    operations: list[dict[str, Any]] | None
    user_id: str | None
    attachments: tuple[Attachment, ...] = ()
    """Files attached while filling in that the answers name, saved with the submission."""
    attachment_names: frozenset[str] = frozenset()
    """Every file name the answers hold; attachments of the submission not named are
    tombstoned (a replaced photo stays in the history)."""
    household_id: str | None = None
    """The registered household the survey was started from (a later round), if any."""
    household_choice: str | None = None
    """For a finalized survey that would create a household like one already registered
    (ProbableDuplicate): NEW_HOUSEHOLD to create it all the same, or the id of the
    registered household the survey is of (its round then updates that household)."""


NEW_HOUSEHOLD = "new"


class ProbableDuplicate(UserError):
    """Finalizing would create a household whose head looks like the head of a household of
    the same village already registered: the user says which it is (``candidates``: those
    households, most alike first), and the save is asked again with ``household_choice``."""

    def __init__(self, candidates: list[dict[str, Any]], head_name: str):
        super().__init__(_("A household like this one is registered already: {names}. Say "
                           "whether this survey is of that household.").format(
            names=", ".join(c["head_name"] for c in candidates)))
        self.candidates = candidates
        self.head_name = head_name


def registry_row(dataset: str, properties: dict[str, str],
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The registry columns an entity operation's properties give (households or persons):
    known properties to their columns, the others into ``properties`` over ``extra`` (what the
    record held before). A person's ``presence`` must be taken out first (see LEFT)."""
    columns = _HOUSEHOLD_COLUMNS if dataset == "households" else _PERSON_COLUMNS
    extra = dict(extra or {})
    row: dict[str, Any] = {}
    for prop, value in properties.items():
        if prop in _DERIVED.get(dataset, ()):
            if prop == "household":
                row["household_id"] = value
            continue
        if prop in columns:
            column = columns[prop]
            row[column] = (int(value) if column == "birth_year" and str(value).isdigit()
                           else value or None)
        else:
            extra[prop] = value
    row["properties"] = extra
    return row


LEFT = _LEFT


class DatabaseRegistry:
    """Serves villages.csv, households.csv, persons.csv and team_members.csv from the database.

    Whole lists (``list_rows``) only for what needs them (an ``instance('households')``
    expression, a filter no index can answer); a long list's question asks for a page at a
    time (``query_rows``) and checks an answer with one lookup (``rows_named``), answered by
    the database's indexes (fieldapp.storage.registry), so choosing among a commune's or a
    province's persons costs milliseconds (fieldapp.core.forms.choices.RegistryQuery)."""

    def __init__(self, repo: SubmissionRepository, lists=None):
        self._repo = repo
        self._lists = lists if lists is not None else repo.store.lists
        self._cache: dict[str, list[dict[str, str]]] = {}

    def list_rows(self, csv_name: str) -> list[dict[str, str]]:
        if csv_name not in self._cache:
            self._cache[csv_name] = self._repo.registry_rows(csv_name)
        return self._cache[csv_name]

    def query_rows(self, csv_name: str, where, text: str, offset: int,
                   limit: int) -> list[dict[str, str]]:
        return self._lists.query_rows(csv_name, where, text, offset, limit)

    def rows_named(self, csv_name: str, names, where) -> list[dict[str, str]]:
        return self._lists.rows_named(csv_name, names, where)


def _typed(instance: FormInstance, path: str) -> bool:
    """Whether the answer at ``path`` is text a person typed (a text question the form does
    not compute)."""
    try:
        field = instance.field_at(path)
    except (KeyError, ValueError, IndexError):
        return False
    return field.type == "text" and not getattr(field, "calculation", None)


class SurveyService:
    def __init__(self, store: Store, catalog: FormCatalog | None = None, *,
                 today: Callable[[], dt.date] = dt.date.today,
                 now: Callable[[], dt.datetime] = dt.datetime.now, access=None):
        from fieldapp.services.access import Access

        self.store = store
        self.access = access or Access(store, None)
        self.catalog = catalog or FormCatalog()
        self.repo = store.submissions
        self._today = today
        self._now = now

    # -- forms -------------------------------------------------------------------------------
    def forms(self) -> list[FormInfo]:
        """The forms this session may fill in (a trainer: the training forms only)."""
        infos = []
        for info in self.catalog.infos():
            try:
                self.access.check_form(info.form_id)
            except UserError:
                continue
            infos.append(info)
        return infos

    def _instance(self, form: Form, answers: dict | None = None, **kwargs) -> FormInstance:
        last = self.repo.last_answers(form.form_id, self.store.device_id) \
            if form.uses_last_saved else None
        return FormInstance(form, answers, today=self._today, now=self._now,
                            registry=DatabaseRegistry(self.repo), metadata=self.metadata(),
                            last_saved=last, **kwargs)

    def metadata(self) -> dict[str, str]:
        """What the silent metadata questions record on this laptop: the device (deviceid,
        as "fieldapp:<device id>") and the signed-in user (username). A desktop has no SIM
        card: phonenumber, simserial and subscriberid stay empty, as does email."""
        values = {"deviceid": f"fieldapp:{self.store.device_id}"}
        user_id = self.store.user_id
        user = self.store.users.get(user_id) if user_id else None
        if user:
            values["username"] = user["name"]
        return values

    # -- attachments ------------------------------------------------------------------------
    def read_attachment(self, path: str | Any, kind: str) -> Attachment:
        """The file at ``path`` as the attachment of a question of ``kind`` (image, audio,
        video, file). Raises UserError, in the user's words, when it cannot be read, is too
        large, or is not of the kind the question takes."""
        from pathlib import Path

        file = Path(path)
        try:
            if not file.is_file():
                raise OSError(2, _("not a file"))
            check_size(file.stat().st_size)  # a huge file is refused unread
            content = file.read_bytes()
        except OSError as exc:
            raise UserError(_("The file cannot be read: {detail}").format(
                detail=os_reason(exc))) from None
        except AttachmentProblem as problem:
            raise UserError(str(problem)) from None
        try:
            return make_attachment(kind, file.name, content)
        except AttachmentProblem as problem:
            raise UserError(str(problem)) from None

    def attachments(self, submission_id: str) -> list[dict[str, Any]]:
        """The files saved with a submission (without their bytes)."""
        self.access.check_submission(self.repo.get(submission_id))
        return self.store.attachments.of_submission(submission_id)

    def attachment_content(self, submission_id: str, filename: str) -> bytes | None:
        self.access.check_submission(self.repo.get(submission_id))
        return self.store.attachments.content(submission_id, filename)

    def new_instance(self, form_id: str, *, household_id: str | None = None,
                     new_key: Callable[[], str] | None = None,
                     village_id: str | None = None,
                     head_name: str | None = None) -> tuple[Form, FormInstance]:
        """A fresh instance; from an existing household, prefilled from the registry so the
        finalized round updates that household and its members instead of creating new ones.
        For a new household, ``village_id`` and ``head_name`` (asked before the form opens)
        fill the household's village and the roster's first person.
        ``new_key`` makes repeat-row keys (seeded in the demo)."""
        self.access.check_form(form_id)
        if household_id:
            self.access.check_household(household_id)
        _path, form = self.catalog.current(form_id)
        instance = self._instance(form, **({"new_key": new_key} if new_key else {}))
        if household_id:
            self._prefill(form, instance, household_id)
        elif village_id or head_name:
            self._prefill_new(form, instance, village_id, head_name)
        return form, instance

    def _prefill_new(self, form: Form, instance: FormInstance, village_id: str | None,
                     head_name: str | None) -> None:
        for decl in form.entities:
            if decl.dataset == "households" and decl.repeat is None and village_id:
                self._fill(instance, "", decl, {"village": village_id})
            elif decl.dataset == "persons" and decl.repeat is not None and head_name:
                repeat = decl.repeat.name
                try:
                    rows = instance.repeat_rows(repeat)
                except (KeyError, ValueError):
                    continue
                index = 0 if rows else instance.add_repeat_row(repeat)
                self._fill(instance, f"{repeat}[{index}]/", decl, {"full_name": head_name})

    def _prefill(self, form: Form, instance: FormInstance, household_id: str) -> None:
        household = self.store.households.get(household_id)
        if household is None:
            raise UserError(_("This household no longer exists."))
        for decl in form.entities:
            if decl.dataset == "households" and decl.repeat is None:
                self._fill(instance, "", decl, self._registry_values("households", household))
                self._fill_id(instance, "", decl, household_id)
            elif decl.dataset == "persons" and decl.repeat is not None:
                repeat = decl.repeat.name
                for person in self.store.persons.of_household(household_id):
                    index = instance.add_repeat_row(repeat)
                    prefix = f"{repeat}[{index}]/"
                    self._fill(instance, prefix, decl, self._registry_values("persons", person))
                    self._fill_id(instance, prefix, decl, person["id"])
        if "household" in form.fields and not instance.get_value("household"):
            instance.set_value("household", household_id)

    @staticmethod
    def _registry_values(dataset: str, row: dict[str, Any]) -> dict[str, str]:
        columns = _HOUSEHOLD_COLUMNS if dataset == "households" else _PERSON_COLUMNS
        values = {prop: row.get(col) for prop, col in columns.items()}
        values.update(json.loads(row.get("properties") or "{}"))
        if dataset == "persons":
            values["village"] = None
        return {k: "" if v is None else str(v) for k, v in values.items()}

    @staticmethod
    def _fill(instance: FormInstance, prefix: str, decl, values: dict[str, str]) -> None:
        for prop, field_name in decl.properties.items():
            value = values.get(prop)
            if value and not instance.is_read_only(prefix + field_name):
                try:
                    instance.set_value(prefix + field_name, value)
                except (KeyError, ValueError):
                    continue

    @staticmethod
    def _fill_id(instance: FormInstance, prefix: str, decl, entity_id: str) -> None:
        """Put the existing record's id into the field the declaration's entity_id reads."""
        if decl.entity_id is None:
            return
        for name in sorted(decl.entity_id.references()):
            try:
                instance.set_value(prefix + name, entity_id)
            except (KeyError, ValueError):
                continue
            return

    # -- saving ------------------------------------------------------------------------------
    def prepare_save(self, submission_id: str | None, form: Form, instance: FormInstance, *,
                     finalize: bool, user_id: str | None = None,
                     household_choice: str | None = None) -> "SaveRequest":
        """Everything saving needs, taken from the form being filled in (on the thread that
        owns it), so the write itself can run on the writer thread. Refuses to finalize a
        form with errors."""
        from fieldapp.core.privacy import sensitive_answers, sensitive_message

        self.access.check_form(form.form_id)
        if finalize and not instance.can_finalize():
            raise UserError(_("The form still has errors; correct them before finalizing."))
        secrets = sensitive_answers(instance.answers, typed=lambda path: _typed(instance, path))
        if secrets:
            raise UserError(sensitive_message(secrets))
        instance.stamp_end()
        names = instance.attachment_names()
        form_file = None
        try:
            path, current = self.catalog.current(form.form_id)
        except KeyError:
            pass
        else:
            if current is form or current.version == form.version:
                form_file = (path.name, path.read_bytes())
        return SaveRequest(
            submission_id=submission_id, form_id=form.form_id, form_version=form.version,
            form_file=form_file, answers=instance.answers, finalize=finalize,
            operations=instance.entity_operations() if finalize else None,
            user_id=user_id or self.store.user_id,
            attachments=tuple(a for name, a in sorted(instance.attachments.items())
                              if name in names),
            attachment_names=frozenset(names), household_choice=household_choice,
            household_id=self._surveyed_household(form, instance))

    @staticmethod
    def _surveyed_household(form: Form, instance: FormInstance) -> str | None:
        """The registered household a survey was started from (its entity id field), so a
        draft of a later round shows on that household."""
        for decl in form.entities:
            if decl.dataset == "households" and decl.repeat is None and decl.entity_id:
                for name in sorted(decl.entity_id.references()):
                    try:
                        value = instance.get_value(name)
                    except (KeyError, ValueError):
                        continue
                    if value:
                        return str(value)
        return None

    def save(self, submission_id: str | None, form: Form, instance: FormInstance, *,
             finalize: bool, user_id: str | None = None,
             household_choice: str | None = None) -> str:
        """Save a draft, or finalize (only when the whole form is valid). Returns the id."""
        return self.store_save(self.prepare_save(submission_id, form, instance,
                                                 finalize=finalize, user_id=user_id,
                                                 household_choice=household_choice))

    def store_save(self, request: "SaveRequest") -> str:
        """Write a prepared save in one transaction; returns the submission id.

        Finalizing a survey that creates a household refuses (ProbableDuplicate) while a
        household of the same village with a head of a like name is registered, unless the
        request says which it is: a new household, or that one (``household_choice``)."""
        submission_id = request.submission_id
        previous = self.repo.get(submission_id) if submission_id else None
        self.access.check_form(request.form_id)
        self.access.check_submission(previous)
        village = self._village_of(None, request.answers)
        if village and self.access.restricted:
            self.access.check_village(village)
        if submission_id and previous is None:
            raise UserError(_("This submission no longer exists."))
        record_id = submission_id or new_id()
        answers = request.answers
        operations = request.operations or []
        if request.finalize:
            known = self.repo.entities(previous) if previous else {}
            operations = self._guard_duplicate(operations, known, request.household_choice)
        with self.store.transaction():
            if request.form_file is not None:
                self.repo.keep_form_version(request.form_id, request.form_version,
                                            *request.form_file)
            values: dict[str, Any] = {
                "form_id": request.form_id, "form_version": request.form_version,
                "status": "final" if request.finalize or (
                    previous and previous["status"] == "final") else "draft",
                "answers": answers, "user_id": request.user_id,
                "village_id": self._village_of(None, answers),
            }
            if not request.finalize and request.household_id and not (
                    previous and previous.get("household_id")):
                values["household_id"] = request.household_id
            if request.finalize:
                # Creating ids here (not in the form) keeps them stable when the round is edited.
                entities = self.repo.entities(previous) if previous else {}
                household_id, entities = self._apply_entities(record_id, operations, entities)
                values["entities"] = self.repo.entities_value(entities)
                values["household_id"] = household_id or (previous or {}).get("household_id")
                values["finalized_at"] = utc_now_iso()
                if household_id and not values["village_id"]:
                    values["village_id"] = self.store.households.get(household_id)["village_id"]
            if submission_id is None:
                values["id"] = record_id
            saved = self.repo.save(submission_id, values)
            self._save_attachments(saved, request)
            return saved

    def _save_attachments(self, submission_id: str, request: "SaveRequest") -> None:
        """New files in the same transaction as the answers; files no answer names any more
        are tombstoned (their bytes stay in the history)."""
        stored = {a["filename"]: a for a in self.store.attachments.of_submission(submission_id)}
        for attachment in request.attachments:
            if attachment.filename not in stored:
                self.store.attachments.add_file(submission_id, attachment.filename,
                                                attachment.media_type, attachment.content)
        for filename, row in stored.items():
            if filename not in request.attachment_names:
                self.store.attachments.tombstone(row["id"], "no longer an answer")

    @staticmethod
    def _village_of(_form: Form | None, answers: dict[str, Any]) -> str | None:
        value = answers.get("village")
        return value if isinstance(value, str) and value else None

    def _guard_duplicate(self, operations: list[dict[str, Any]], known: dict[str, Any],
                         choice: str | None) -> list[dict[str, Any]]:
        """The operations to apply: unchanged, or pointed at the registered household the
        user chose (its persons matched by name and year of birth); ProbableDuplicate while
        the user has not said."""
        create = next((op for op in operations if op["dataset"] == "households"
                       and op["repeat_path"] is None and not op["entity_id"]), None)
        if create is None or known.get("households") or choice == NEW_HOUSEHOLD:
            return operations
        props = create["properties"]
        if not choice:
            from fieldapp.services.registry import Registry

            alike = Registry(self.store, today=self._today).similar_households(
                props.get("village") or "", props.get("head_name") or "")
            if alike:
                raise ProbableDuplicate(alike, props.get("head_name") or "")
            return operations
        household = self.store.households.get(choice)
        if household is None or household["deleted"]:
            raise UserError(_("The household chosen was removed from the registry."))
        return self._onto_household(operations, choice)

    def _onto_household(self, operations: list[dict[str, Any]],
                        household_id: str) -> list[dict[str, Any]]:
        """Operations that update ``household_id`` and those of its persons the roster names
        (the same folded name, born within a year) instead of creating new ones."""
        from fieldapp.i18n.text import fold

        members = self.store.persons.of_household(household_id)
        taken: set[str] = set()
        out = []
        for op in operations:
            op = {**op, "properties": dict(op["properties"])}
            if op["dataset"] == "households" and op["repeat_path"] is None \
                    and not op["entity_id"]:
                op.update(entity_id=household_id, action="update")
            elif op["dataset"] == "persons" and not op["entity_id"]:
                name = fold(op["properties"].get("full_name") or "")
                born = str(op["properties"].get("birth_year") or "")
                for person in members:
                    year = str(person.get("birth_year") or "")
                    close = not born or not year or (
                        born.isdigit() and year.isdigit() and abs(int(born) - int(year)) <= 1)
                    if person["id"] not in taken and person["name_key"] == name and close:
                        taken.add(person["id"])
                        op.update(entity_id=person["id"], action="update")
                        break
            out.append(op)
        return out

    def _apply_entities(self, submission_id: str, operations: list[dict[str, Any]],
                        known: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """Create or update registry rows for the entity operations of a finalized submission.

        ``known`` holds the ids this submission created or updated when it was finalized
        before: {"households": [id], "persons": {row key: id}}. Persons are matched to roster
        rows by the row's key, so removing or reordering other members never moves an id
        from one person to another; a row whose member was removed tombstones that person.
        """
        known_households = list(known.get("households", []))
        known_persons = self._persons_by_key(known.get("persons", {}), operations)
        household_id = None
        for op in operations:
            if op["dataset"] == "households" and op["repeat_path"] is None:
                target = (op["entity_id"] or (known_households[0] if known_households else None)
                          or entity_id_for(submission_id, "households"))
                household_id = self._upsert("households", target, op["properties"])
                known_households = [household_id]
        kept_persons: dict[str, str] = {}
        for op in operations:
            if op["dataset"] != "persons":
                continue
            key = op.get("row_key") or str(op["row_index"] if op["row_index"] is not None
                                           else len(kept_persons))
            target = (op["entity_id"] or known_persons.get(key)
                      or entity_id_for(submission_id, f"persons/{key}"))
            props = dict(op["properties"])
            presence = props.pop("presence", "")
            if household_id:
                props["household"] = household_id
            kept_persons[key] = self._upsert("persons", target, props)
            if presence in _LEFT:
                self.store.persons.tombstone(kept_persons[key], _LEFT[presence])
        # A member removed from the roster while editing this round leaves the household.
        for person_id in known_persons.values():
            if person_id not in kept_persons.values():
                person = self.store.persons.get(person_id)
                if person is not None and not person["deleted"]:
                    self.store.persons.tombstone(person_id, "removed from the roster")
        result: dict[str, Any] = {}
        if known_households:
            result["households"] = known_households
        if kept_persons:
            result["persons"] = dict(sorted(kept_persons.items()))
        return household_id, result

    @staticmethod
    def _persons_by_key(known: dict[str, str], operations: list[dict[str, Any]]
                        ) -> dict[str, str]:
        """Persons a submission finalized before, by row key. Submissions finalized before
        rows had keys recorded them by row position: map those positions to today's keys."""
        if not known or not all(k.isdigit() for k in known):
            return dict(known)
        keys = {op["row_index"]: op.get("row_key") for op in operations
                if op["dataset"] == "persons" and op["row_index"] is not None}
        return {keys.get(int(k)) or k: v for k, v in known.items()}

    def _upsert(self, dataset: str, entity_id: str, properties: dict[str, str]) -> str:
        repo = self.store.households if dataset == "households" else self.store.persons
        existing = repo.get(entity_id)
        extra = json.loads(existing["properties"] or "{}") if existing else {}
        row = registry_row(dataset, properties, extra)
        if dataset == "households":
            row["last_verified"] = utc_now_iso()
        if existing:
            if existing["deleted"]:  # back in a roster or surveyed again: alive
                repo.restore(entity_id)
            repo.update(entity_id, row)
            return entity_id
        row["id"] = entity_id
        return repo.add(row)

    # -- reading -----------------------------------------------------------------------------
    def open(self, submission_id: str) -> tuple[Form, FormInstance, str]:
        """A stored submission with the form version it was made with."""
        row = self.repo.get(submission_id)
        if row is None or row["deleted"]:
            raise UserError(_("This submission no longer exists."))
        self.access.check_submission(row)
        stored = self.repo.form_version(row["form_id"], row["form_version"])
        form = self.catalog.version(row["form_id"], row["form_version"], stored)
        return form, self._instance(form, json.loads(row["answers"])), row["status"]

    def submissions(self, form_id: str | None = None) -> list[dict[str, Any]]:
        if form_id:
            self.access.check_form(form_id)
        return self.access.visible_submissions(self.repo.list(form_id))

    def history(self, submission_id: str) -> list[dict[str, Any]]:
        """Every saved state of a submission, oldest first (from the change log)."""
        self.access.check_submission(self.repo.get(submission_id))
        return self.repo.history(submission_id)

    def rounds(self, household_id: str, form_id: str = "household_survey") -> list[dict[str, Any]]:
        self.access.check_form(form_id)
        self.access.check_household(household_id)
        return self.repo.rounds_of(household_id, form_id)
