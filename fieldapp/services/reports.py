"""Printing and exporting, as the CLI and the Reports screen ask for it.

Each use case gathers plain data from the database and hands it to fieldapp.reports, then
writes the file (refusing at once an output path that cannot be written). Long ones accept
``progress(done, total)`` and ``cancelled()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import fold, name_sort_key
from fieldapp.reports import pdf
from fieldapp.reports import progress as progress_doc
from fieldapp.services.activity import (
    CITIZEN_SKILLS, LEVELS, MEMBER_SKILLS, PROGRESS_FORM, activity_source)
from fieldapp.services.forms import FormCatalog
from fieldapp.services.indicators import Period
from fieldapp.services.print_labels import PrintLabels
from fieldapp.services.translate import overlay_of
from fieldapp.storage.store import Store

Progress = Callable[..., None]
"""``progress(done, total)``; ``make`` adds a third argument, the steps in words."""
Cancelled = Callable[[], bool]


def _nothing(done: int, total: int, text: str | None = None) -> None:
    return None


def _never() -> bool:
    return False


STEPS = 1000
"""The bar's length for work in stages: counting households (the first 70% when there are
households to count: the indicator sums were not up to date), then laying out the pages."""
COUNTING_SHARE = 700


class _Steps:
    """One bar over a report's stages, each reported in its own units (households, parts
    of the document and its page, submissions), and the point where a cancel stops it."""

    def __init__(self, progress: Progress, cancelled: Cancelled):
        self._report = progress
        self._words = _takes_words(progress)
        self.cancelled = cancelled
        self.counting = False

    def progress(self, done: int, total: int, text: str) -> None:
        """Report a step; the words go only to a callback that takes them (the app's bar
        does, the command line's ``progress(done, total)`` does not)."""
        if self._words:
            self._report(done, total, text)
        else:
            self._report(done, total)

    def households(self, done: int, total: int) -> None:
        if not total:
            return  # the sums are up to date: the pages take the whole bar
        self.counting = True
        share = COUNTING_SHARE * done // total
        self.progress(share, STEPS, _("Counting households: {done} of {total}").format(
            done=_number(done), total=_number(total)))

    def pages(self, done: int, total: int, page: int) -> None:
        from fieldapp.services.indicators import ReportCancelled

        if self.cancelled():
            raise ReportCancelled(_("Cancelled."))
        start = COUNTING_SHARE if self.counting else 0
        share = (STEPS - start) * done // total if total else 0
        self.progress(start + share, STEPS,
                      _("Laying out page {page}").format(page=_number(page)))

    def rows(self, done: int, total: int) -> None:
        self.progress(done, total, _("{done} of {total} submissions written").format(
            done=_number(done), total=_number(total)))


def _takes_words(callback: Progress) -> bool:
    """Whether ``callback`` takes a third argument (the steps in words)."""
    import inspect

    try:
        parameters = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 3 or any(p.kind == p.VAR_POSITIONAL for p in parameters)


def _number(value: int) -> str:
    from fieldapp.i18n.formatting import format_number

    return format_number(value)


@dataclass(frozen=True)
class Printed:
    """A written document: where, and its number of bytes."""

    path: Path
    size: int


def _write(path: Path, content: bytes, store: Store | None, report: str,
           household_id: str | None = None) -> Printed:
    """Write the PDF, and note in the audit log who printed what (no names: the report's
    kind, the file's name, the household's id for a handout or a pre-filled form)."""
    written = pdf.write_file(path, content)
    if store is not None:
        store.audit.record("print", user_id=store.user_id, object_table="households"
                           if household_id else None, object_id=household_id,
                           detail={"report": report, "file": written.name})
    return Printed(written, len(content))


def _printed_by(store: Store) -> str:
    user = store.users.get(store.meta("current_user_id") or "")
    return user["name"] if user else ""


# -- commune summary -------------------------------------------------------------------------------

REPORT_SUFFIXES = (".pdf", ".docx")


def report_format(out: Path) -> str:
    """"pdf" or "docx" from the file's suffix; UserError for another."""
    suffix = Path(out).suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise UserError(_("{path}: write the report to a .pdf or a .docx file.").format(
            path=Path(out).name))
    return suffix[1:]


def commune_summary(store: Store, out: Path, *, village: str | None = None,
                    period: Period | None = None, today: dt.date | None = None,
                    narrative: list[str] | None = None,
                    progress: Progress = _nothing, cancelled: Cancelled = _never) -> Printed:
    """The commune's report for a fixed period (default: this year), as PDF or DOCX (by the
    suffix of ``out``)."""
    from fieldapp.reports import commune_report
    from fieldapp.services.summary import gather

    kind = report_format(out)
    pdf.check_output(out)
    data = gather(store, village=village, period=period, today=today, narrative=narrative,
                  progress=progress, cancelled=cancelled)
    content = (commune_report.render_pdf(data) if kind == "pdf"
               else commune_report.render_docx(data))
    return _write(out, content, store, "commune")


def province_summary(store: Store, out: Path, *, period: Period | None = None,
                     today: dt.date | None = None, progress: Progress = _nothing,
                     cancelled: Cancelled = _never) -> Printed:
    """The province's report: one row per commune (PDF or DOCX by the suffix of ``out``)."""
    from fieldapp.reports import province_report
    from fieldapp.services.province import gather_province

    kind = report_format(out)
    pdf.check_output(out)
    data = gather_province(store, period=period, today=today, progress=progress,
                           cancelled=cancelled)
    content = (province_report.render_pdf(data) if kind == "pdf"
               else province_report.render_docx(data))
    return _write(out, content, store, "province")


# -- trainer progress sheets -----------------------------------------------------------------------

def progress_data(store: Store, *, class_id: str | None = None, language: str | None = None,
                  today: dt.date | None = None,
                  catalog: FormCatalog | None = None) -> progress_doc.ProgressData:
    catalog = catalog or FormCatalog()
    try:
        form = catalog.current(PROGRESS_FORM)[1]
    except KeyError:
        raise UserError(_("The training progress form is missing.")) from None
    labels = PrintLabels(form, language, overlay_of(store))
    source = activity_source(store)
    classes = source.classes()
    wanted = None
    if class_id:
        # a class by its id, the start of its id as printed (8 characters), or its name
        wanted = [c for c in classes if c.id == class_id or fold(c.name) == fold(class_id)
                  or (len(class_id) >= 8 and c.id.startswith(class_id))]
    chosen = classes if wanted is None else wanted
    users = {u["id"]: u for u in store.users.list()}
    villages = {v["id"]: v["name"] for v in store.villages.list()}
    sheets = []
    for cls in chosen:
        learners: dict[str, progress_doc.Learner] = {}
        for learner_id, kind in cls.learners.items():
            if kind == "member":
                name = (users.get(learner_id) or {}).get("name", "")
            else:
                person = store.persons.get(learner_id)
                name = person["full_name"] if person else ""
            learners[learner_id] = progress_doc.Learner(learner_id, name or _("(unknown)"), kind)
        for a in source.assessments(cls.id):
            learner = learners.get(a.learner_id)
            if learner is None:
                continue
            if a.attendance:
                learner.attendance[a.date] = a.attendance
            for skill, level in a.levels.items():
                history = learner.history.setdefault(skill, [])
                if not history or history[-1][1] != level:
                    history.append((a.date, level))
                learner.levels[skill] = level
        trainer = (users.get(cls.trainer_id or "") or {}).get("name", "")
        sheets.append(progress_doc.ClassSheet(
            cls.id, cls.name, trainer, villages.get(cls.village_id or "", ""), list(cls.days),
            sorted(learners.values(), key=lambda learner: name_sort_key(learner.name))))
    skills = [(code, code.upper(), labels.field(code, strip_code=True))
              for code in CITIZEN_SKILLS + MEMBER_SKILLS]
    levels = dict(labels.choices("level"))
    attendance = labels.choices("attendance")
    commune = store.commune() or {}
    return progress_doc.ProgressData(
        commune=commune.get("name", ""), printed_on=today or dt.date.today(),
        printed_by=_printed_by(store), classes=sheets, skills=skills,
        levels=[(code, levels.get(code, pdf.Label(code))) for code in LEVELS],
        attendance=attendance, language_note=labels.note,
        wanted_class=class_id if class_id and not chosen else None,
        other_classes=[f"{c.name} ({c.id[:8]})" for c in classes] if class_id and not chosen
        else [])


def progress_sheets(store: Store, out: Path, *, class_id: str | None = None,
                    language: str | None = None, today: dt.date | None = None) -> Printed:
    pdf.check_output(out)
    data = progress_data(store, class_id=class_id, language=language, today=today)
    return _write(out, progress_doc.render(data), store, "progress")


# -- paper questionnaire ---------------------------------------------------------------------------

def short_code(household_id: str) -> str:
    """The household's code as printed: the first 8 characters of its id, upper case."""
    return household_id.replace("-", "")[:8].upper()


SHORT_CODE_MIN = 6
"""The fewest characters of a household's code that are looked up."""


def household_by_code(store: Store, code: str, village_id: str | None = None) -> dict:
    """The live household (id, head_name, village_id, ethnicity) with this id or printed short
    code, case and dashes ignored, of one village when given; UserError naming the code when
    it is too short, fits none or fits several households."""
    wanted = code.strip().replace("-", "").lower()
    if len(wanted) < SHORT_CODE_MIN:
        raise UserError(_("“{code}”: give at least {n} characters of the household's code.")
                        .format(code=code.strip(), n=SHORT_CODE_MIN))
    found = store.households.by_code(wanted, village_id)
    if not found:
        raise UserError(_("No household {id} in this database.").format(id=code.strip()))
    if len(found) > 1:
        raise UserError(_("“{code}” fits more than one household; give more characters of "
                          "its id.").format(code=code.strip()))
    return found[0]


def questionnaire_data(form_id: str, *, language: str | None = None,
                       store: Store | None = None, household_id: str | None = None,
                       today: dt.date | None = None, catalog: FormCatalog | None = None):
    from fieldapp.core.forms.paper import layout
    from fieldapp.reports import questionnaire as doc

    catalog = catalog or FormCatalog()
    try:
        form = catalog.current(form_id)[1]
    except KeyError:
        known = ", ".join(sorted(info.form_id for info in catalog.infos()))
        raise UserError(_("No form {form}; the forms are: {known}").format(
            form=form_id, known=known)) from None
    registry: dict[str, list[tuple[str, str]]] = {}
    prefill = None
    rows = 8
    if store is not None:
        for name in ("villages.csv", "team_members.csv"):
            registry[name] = [(r["name"], r["label"])
                              for r in store.submissions.registry_rows(name)]
    if household_id:
        prefill = household_prefill(store, form, household_id, today)
        rows = max(8, len(prefill.rows) + 2)
    from fieldapp.services.export_labels import calculated_label

    names = lambda name: calculated_label(form.form_id, name)  # noqa: E731
    labels = PrintLabels(form, language, overlay_of(store))
    return doc.QuestionnaireData(layout(form, rows, names), labels,
                                 today or dt.date.today(), registry, prefill)


def household_prefill(store: Store | None, form, household_id: str,
                      today: dt.date | None = None):
    """The registry roster of a household, under the form's field names (save_to)."""
    from fieldapp.reports import questionnaire as doc
    from fieldapp.services.surveys import SurveyService

    if store is None:
        raise UserError(_("A household's questionnaire needs the database (--db)."))
    household = store.households.get(household_id)
    if household is None or household["deleted"]:
        raise UserError(_("No household {id} in this database.").format(id=household_id))
    village = store.villages.get(household["village_id"]) or {}
    fields: dict[str, str] = {}
    for decl in form.entities:
        if decl.dataset == "persons" and decl.repeat is not None:
            fields = decl.properties
    rows = []
    for person in store.persons.of_household(household_id):
        values = SurveyService._registry_values("persons", person)
        rows.append({name: values.get(prop, "") for prop, name in fields.items()
                     if values.get(prop)})
    return doc.Prefill(household_id, short_code(household_id), household["head_name"],
                       village.get("name", ""), rows, worked_out(form, rows, today))


def worked_out(form, rows: list[dict[str, str]], today: dt.date | None) -> dict[str, str]:
    """The questions the form works out itself from the roster (this year's rotating part),
    as the app would on the day the questionnaire is printed."""
    from fieldapp.core.forms import FormInstance

    from fieldapp.core.xpath.nodes import Binary, Literal, Ref

    repeat = next(iter(form.repeats), None)
    if repeat is None:
        return {}
    answers: dict = {repeat.name: [dict(r) for r in rows]}
    group = repeat.parent
    while group is not None:  # the roster is shown (e.g. the household agreed to answer)
        tree = group.relevant.tree if group.relevant is not None else None
        if isinstance(tree, Binary) and tree.op == "=" and isinstance(tree.left, Ref) \
                and isinstance(tree.right, Literal):
            answers[tree.left.name] = tree.right.value
        group = group.parent
    try:
        instance = FormInstance(form, answers, today=today or dt.date.today())
    except Exception:  # noqa: BLE001 - a roster the form refuses: nothing worked out
        return {}
    return {f.name: instance.get_value(f.name) for f in form.fields.values()
            if f.is_select and f.calculation is not None and f.repeat is None
            and instance.get_value(f.name)}


def questionnaire(form_id: str, out: Path, *, language: str | None = None,
                  store: Store | None = None, household_id: str | None = None,
                  today: dt.date | None = None) -> Printed:
    from fieldapp.reports import questionnaire as doc

    pdf.check_output(out)
    data = questionnaire_data(form_id, language=language, store=store,
                              household_id=household_id, today=today)
    return _write(out, doc.render(data), store, "questionnaire", household_id)


# -- citizen handout -------------------------------------------------------------------------------

# A survey answer that shows a skill (the training form's skill codes).
SKILL_FROM_ANSWER = {
    "s1": ("smartphone", ("own", "shared")), "s2": ("internet_use", ("yes",)),
    "s3": ("vneid_level2", ("yes",)), "s4": ("cds_installed", ("yes",)),
    "s5": ("dvc_use", ("alone",)), "s6": ("digital_signature", ("yes",)),
    "s7": ("epayment", ("yes",)), "s10": ("scam_awareness", ("yes",)),
    "s11": ("ehealth_record", ("yes",)),
}
SKILL_FROM_OUTCOME = {"vneid_level2_activated": "s3", "cds_xu_lang_installed": "s4",
                      "dvc_submitted": "s5", "digital_signature_issued": "s6",
                      "bank_app_installed": "s7", "ewallet_opened": "s7",
                      "bill_paid_online": "s8", "shop_listed": "s9", "scam_guidance": "s10",
                      "ehealth_record_viewed": "s11"}


def next_step_text(skill: str, answers: dict[str, str]) -> str | None:
    """Where to go for a skill not yet done ("" for none to suggest)."""
    if skill == "s3":
        if answers.get("cccd") == "no" or answers.get("id_status") == "no_cccd":
            return _("Get a chip ID card at the commune police, then activate VNeID level 2 "
                     "there.")
        return _("Bring the ID card to the commune police (or ask the team) to activate "
                 "VNeID level 2.")
    return {
        "s1": _("Join the “Bình dân học vụ số” class of the commune to learn the smartphone."),
        "s2": _("Ask the team to show Zalo and safe messaging."),
        "s4": _("Ask the team of the village to install “Công dân số Xứ Lạng”."),
        "s5": _("File a first procedure online with the team's help (Cổng dịch vụ công)."),
        "s7": _("Open a bank account or e-wallet on the phone at a bank or post office; the "
                "team helps install the app."),
        "s10": _("Come to the team's session on spotting scam calls."),
        "s11": _("See the e-health record in the VNeID app (needs VNeID level 2)."),
    }.get(skill)


STEP_ORDER = ("s3", "s7", "s5", "s4", "s11", "s10", "s1", "s2")


def handout_data(store: Store, household_id: str, *, language: str | None = None,
                 today: dt.date | None = None, catalog: FormCatalog | None = None):
    import json

    from fieldapp.reports import handout as doc
    from fieldapp.storage.submissions import SubmissionRepository

    catalog = catalog or FormCatalog()
    household = store.households.get(household_id)
    if household is None or household["deleted"]:
        raise UserError(_("No household {id} in this database.").format(id=household_id))
    try:
        progress_form = catalog.current(PROGRESS_FORM)[1]
    except KeyError:
        raise UserError(_("The training progress form is missing.")) from None
    labels = PrintLabels(progress_form, language, overlay_of(store))
    skill_label = {code: labels.field(code, strip_code=True) for code in CITIZEN_SKILLS}
    members = store.persons.of_household(household_id)
    answers: dict[str, dict[str, str]] = {p["id"]: {} for p in members}
    surveyed = None
    for round_ in store.submissions.rounds_of(household_id, "household_survey"):
        stored = json.loads(round_["answers"])
        persons = SubmissionRepository.entities(round_).get("persons", {})
        for row in stored.get("members", []):
            person_id = persons.get(row.get("@key", ""))
            if person_id in answers:
                known = {k: v for k, v in row.items() if isinstance(v, str) and v
                         and v not in ("dont_know", "refused", "skipped")}
                if known.get("id_status") == "level2":  # a round of the earlier form
                    known.setdefault("vneid_level2", "yes")
                answers[person_id].update(known)
        if stored.get("consent") == "yes" and round_["finalized_at"]:
            surveyed = dt.datetime.fromisoformat(round_["finalized_at"]).date()
    done: dict[str, dict[str, str]] = {p["id"]: {} for p in members}
    source = activity_source(store)
    for a in source.assessments():
        if a.learner_id in done:
            done[a.learner_id].update({s: lvl for s, lvl in a.levels.items()})
    for session in source.sessions():
        for person_id, outcomes in session.person_outcomes.items():
            for outcome in outcomes:
                skill = SKILL_FROM_OUTCOME.get(outcome)
                if skill and person_id in done:
                    done[person_id][skill] = "alone"
    year = (today or dt.date.today()).year
    people = []
    for person in members:
        given = answers[person["id"]]
        levels = dict(done[person["id"]])
        for skill, (name, good) in SKILL_FROM_ANSWER.items():
            if given.get(name) in good:
                levels[skill] = "alone"
            elif name == "dvc_use" and given.get(name) == "with_help":
                levels.setdefault(skill, "with_help")
        age = year - person["birth_year"] if person.get("birth_year") else None
        can = [skill_label[s] for s in CITIZEN_SKILLS if levels.get(s) == "alone"]
        helped = [skill_label[s] for s in CITIZEN_SKILLS if levels.get(s) == "with_help"]
        steps = []
        if age is None or age >= 14:
            for skill in STEP_ORDER:
                if levels.get(skill) == "alone":
                    continue
                asked = SKILL_FROM_ANSWER.get(skill, ("", ()))[0]
                if asked and asked not in given and skill not in levels:
                    continue  # not asked yet: nothing known to suggest
                where = next_step_text(skill, given)
                if where:
                    steps.append((where, skill_label[skill]))
                if len(steps) == 3:
                    break
        people.append(doc.HandoutPerson(person["full_name"], age, can, helped, steps))
    village = store.villages.get(household["village_id"]) or {}
    team = [u["name"] for u in store.users.list()
            if u["role"] == "member" and u.get("village_id") == household["village_id"]]
    commune = store.commune() or {}
    return doc.HandoutData(commune.get("name", ""), village.get("name", ""),
                           household["head_name"], short_code(household_id),
                           today or dt.date.today(), people, team, labels.note, surveyed)


def household_handout(store: Store, household_id: str, out: Path, *,
                      language: str | None = None, today: dt.date | None = None) -> Printed:
    from fieldapp.reports import handout as doc

    pdf.check_output(out)
    return _write(out, doc.render(handout_data(store, household_id, language=language,
                                               today=today)), store, "household", household_id)


def pack_for_household(store: Store, household_id: str) -> str:
    """The label pack of a household's ethnic group ("vi" when there is none)."""
    from fieldapp.services.print_labels import print_languages

    household = store.households.get(household_id) or {}
    wanted = {"tay": "tyz", "nung": "nut", "dao": "ium"}.get(household.get("ethnicity") or "")
    return wanted if wanted in print_languages() else "vi"


# -- what the Reports screen holds -----------------------------------------------------------------

class ReportsService:
    """Reports and exports of one open database, for the Reports screen (the same use cases
    as the command line)."""

    def __init__(self, store: Store):
        self.store = store

    def villages(self) -> list[dict]:
        return self.store.villages.list()

    def classes(self) -> list[tuple[str, str]]:
        """(id, name) of the training classes recorded."""
        return [(c.id, c.name) for c in activity_source(self.store).classes()]

    @staticmethod
    def forms() -> list[tuple[str, str]]:
        """(form id, Vietnamese title) of the forms that can be printed blank."""
        from fieldapp.services.summary import language

        catalog = FormCatalog()
        out = []
        for info in catalog.infos():
            title = info.title.get(language()) or info.title.get("vi") or info.form_id
            out.append((info.form_id, title))
        return sorted(out, key=lambda item: name_sort_key(item[1]))

    @staticmethod
    def languages() -> list[tuple[str, str]]:
        """(code, name) of Vietnamese and every installed label pack."""
        from fieldapp.services.print_labels import language_name, print_languages

        return [(code, language_name(code)) for code in print_languages()]

    def find_household(self, code: str, village_id: str | None = None, *,
                       strict: bool = False) -> dict | None:
        """A live household by its id or printed code (the id's first characters); of one
        village when given (a member's: fieldapp.services.guards). None when there is none or
        the code fits several; ``strict``: UserError saying which instead."""
        try:
            return household_by_code(self.store, code, village_id)
        except UserError:
            if strict:
                raise
            return None

    def pack_for_household(self, household_id: str) -> str:
        return pack_for_household(self.store, household_id)

    def personal_forms(self) -> list[str]:
        from fieldapp.services.exports import personal_columns

        return personal_columns(self.store)

    def make(self, kind: str, out: Path, options: dict, progress: Progress = _nothing,
             cancelled: Cancelled = _never):
        """Write the report or export ``kind``: "commune", "province", "progress",
        "questionnaire", "household", "xlsx" or "csv" (storage.settings.REPORT_KINDS).

        ``progress(done, total, text)`` follows the real steps: the households counted, then
        the pages laid out (a PDF), or the submissions written (an export), with ``text``
        saying which; ``cancelled()`` stops it at the next step with nothing written."""
        from fieldapp.services import exports

        store = self.store
        steps = _Steps(progress, cancelled)
        period = options.get("period") or None  # a Period or its key ("2026-Q4")
        if isinstance(period, str):
            period = Period.parse(period)
        if kind in ("xlsx", "csv"):
            run = exports.export_xlsx if kind == "xlsx" else exports.export_csv
            extra = {"period": period} if period is not None else {}
            return run(store, out, names=options.get("names", True), progress=steps.rows,
                       cancelled=cancelled, **extra)
        with pdf.reporting(steps.pages):
            if kind in ("commune", "province"):
                if kind == "province":
                    return province_summary(store, out, period=period,
                                            progress=steps.households, cancelled=cancelled)
                return commune_summary(store, out, village=options.get("village") or None,
                                       period=period, narrative=options.get("narrative"),
                                       progress=steps.households, cancelled=cancelled)
            if kind == "progress":
                return progress_sheets(store, out, class_id=options.get("class_id") or None,
                                       language=options.get("language"))
            if kind == "questionnaire":
                return questionnaire(options["form_id"], out, language=options.get("language"),
                                     store=store, household_id=options.get("household_id"))
            return household_handout(store, options["household_id"], out,
                                     language=options.get("language"))
