"""``fieldapp --self-check``: prove on this computer, in a few seconds, that the installed app
works where it matters, with the app's own code paths on throwaway data in a temporary folder.

Each check returns one :class:`Check` (a line in the user's language). The checks that need
Qt (a paint offscreen, text shaping) are in :mod:`fieldapp.ui.selfcheck`; the command line
runs both (:mod:`fieldapp.cli.self_check`). Nothing outside the temporary folder is written.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fieldapp import host, paths
from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import format_number

PIN = "258147"
MANIFEST = "fieldapp-files.txt"
"""List of every file of a built app (relative to its folder), written by build.spec."""
VIETNAMESE_LETTERS = ("aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstu"
                      "ùủũúụưừửữứựvxyỳỷỹýỵfjwz")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0


class CheckFailed(Exception):
    """A check found something wrong; the message says what, for the user."""


def app_files() -> str:
    """Every file the build listed is present (a half-copied or damaged install), else the
    resource folders of a source checkout."""
    bundle = host.bundle_dir()
    if bundle is None:
        root = paths.resource_root()
        missing = [name for name in paths.RESOURCE_DIRS if not (root / name).is_dir()]
        count = sum(1 for name in paths.RESOURCE_DIRS for _p in (root / name).rglob("*"))
    else:
        manifest = bundle / MANIFEST
        if not manifest.is_file():
            raise CheckFailed(str(paths.MissingFiles(bundle, MANIFEST)))
        top = bundle.parent  # the app's folder: the executables and _internal/
        names = [line for line in manifest.read_text(encoding="utf-8").splitlines() if line]
        missing = [name for name in names if not (top / name).is_file()]
        count = len(names)
    if missing:
        raise CheckFailed(str(paths.MissingFiles(paths.resource_root() if bundle is None
                                                 else bundle.parent, ", ".join(missing[:3]))))
    return _("{count} files present").format(count=format_number(count))


def forms_and_packs() -> str:
    """Every shipped form loads, and every shipped label pack of each form."""
    from fieldapp.i18n.packs import available_languages, load_pack
    from fieldapp.services.forms import FormCatalog

    forms = FormCatalog([paths.forms_dir()])
    infos = forms.infos()
    if forms.problems or not infos:
        path, problems = next(iter(forms.problems.items()), (paths.forms_dir(), ["no form"]))
        raise CheckFailed(_("the form {file} does not load: {problem}").format(
            file=Path(path).name, problem=problems[0]))
    packs = 0
    for language in available_languages():
        for info in infos:
            if load_pack(language, info.form_id) is not None:
                packs += 1
    if not packs:
        raise CheckFailed(_("no label pack was found"))
    return _("{forms} forms, {packs} label packs").format(forms=len(infos), packs=packs)


def catalogs() -> str:
    """The interface catalogs load and translate (the compiled ones an installed app ships)."""
    from fieldapp.i18n import catalog
    from fieldapp.i18n.compile import ensure_compiled

    current = catalog.current_language()
    sample = "Commune report"
    try:
        for language in catalog.INTERFACE_LANGUAGES:
            if ensure_compiled(language) is None:
                raise CheckFailed(_("the {language} catalog is missing").format(
                    language=language))
        catalog.set_language("vi")
        translated = catalog._(sample)
    finally:
        catalog.set_language(current)
    if translated == sample:
        raise CheckFailed(_("the Vietnamese catalog does not translate"))
    return ", ".join(catalog.LANGUAGE_NAMES[lang] for lang in catalog.INTERFACE_LANGUAGES)


def shown_characters() -> str:
    """Every letter the label packs (Tày, Nùng, Dao in both spellings) and Vietnamese use."""
    from fieldapp.i18n.packs import iter_pack_files, shipped_packs_dir
    from fieldapp.i18n.pofile import read_po_file

    letters = set(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper())
    for _language, _form, path in iter_pack_files(shipped_packs_dir()):
        for message in read_po_file(path):
            for text in (message.string,) if isinstance(message.string, str) else message.string:
                letters.update(ch for ch in text or "" if ch.isalpha() or not ch.isascii())
    return "".join(sorted(letters))


def pdf_fonts() -> str:
    """The bundled fonts have a glyph for every character the packs and Vietnamese use."""
    from reportlab.pdfbase.ttfonts import TTFont

    from fieldapp.i18n import fonts

    text = shown_characters()
    for path in fonts.font_files():
        face = TTFont("selfcheck", str(path)).face
        gaps = sorted({ch for ch in text if ord(ch) not in face.charToGlyph
                       and not ch.isspace()})
        if gaps:
            raise CheckFailed(_("{font} lacks {letters}").format(
                font=path.name, letters=" ".join(gaps[:10])))
    return _("{count} letters of Vietnamese, Tày, Nùng and Dao").format(count=len(text))


class Commune:
    """A throwaway commune (encrypted, signed in) and a member laptop, in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / "commune.db"
        self.workspace = None
        self.household_id: str | None = None

    def create(self) -> str:
        from fieldapp.services import auth
        from fieldapp.services.setup import SetupRequest, run_setup
        from fieldapp.storage.store import Store

        store = Store.open(self.path)
        try:
            user_id = run_setup(store, SetupRequest("Xã Tự Kiểm", "Lạng Sơn", ["Bản Nà"],
                                                    "Hoàng Thị Mai", "commune_staff", PIN))
            user = store.users.get(user_id)
        finally:
            store.close()
        auth.protect(self.path, user, PIN, recovery=False)  # each PIN costs 128 MiB of Argon2id
        if self.path.read_bytes()[:16] == b"SQLite format 3\x00":
            raise CheckFailed(_("the database was not encrypted"))
        self.workspace = auth.sign_in(self.path, user_id, PIN)
        store = self.workspace.store
        village = store.villages.list()[0]["id"]
        self.household_id = self.workspace.registry.add_household(
            village, {"full_name": "Lường Văn Tỉnh", "sex": "male", "birth_year": 1970,
                      "ethnicity": "tay"})
        key, session = self.workspace.store.key, self.workspace.session
        self.workspace.close()
        # Opened again from the file with the key the PIN unlocked: what was written is read
        # (by the member who signed in: an encrypted database refuses a workspace of nobody).
        from fieldapp.services.workspace import Workspace

        self.workspace = Workspace.open(self.path, key=key, session=session)
        if self.workspace.store.households.get(self.household_id) is None:
            raise CheckFailed(_("a household written was not read back"))
        return _("encrypted, written and read back")

    def round_trip(self) -> str:
        """A member laptop joins, surveys a household and sends a package (sealed to the
        commune and signed); the commune imports it."""
        import datetime as dt

        from fieldapp.core import demo_data as dd
        from fieldapp.services.demo_surveys import fill_household_survey
        from fieldapp.services.forms import FormCatalog
        from fieldapp.services.surveys import SurveyService
        from fieldapp.services.sync import exchange, identity
        from fieldapp.storage.store import Store

        store = self.workspace.store
        # Registered for a team member: a laptop with nobody assigned may write nothing.
        registration = identity.register_device(store, "Máy tự kiểm",
                                                store.users.list()[0]["id"])
        setup = identity.write_setup_file(store, registration, self.folder / "member.setup")
        member = Store.open(self.folder / "member.db")
        try:
            identity.join(member, setup)
            rng = random.Random(7)
            survey = SurveyService(member, FormCatalog([paths.forms_dir()]),
                                   today=dt.date.today)
            village = member.villages.list()[0]["id"]
            form, instance = fill_household_survey(
                survey, rng, village, dd.household_members(rng, "tay", "tay"))
            submission = survey.save(None, form, instance, finalize=True)
            package = exchange.export_package(member, self.folder).path
        finally:
            member.close()
        report = exchange.import_package(store, package)
        if report.status != "applied":
            raise CheckFailed(report.message)
        if store.submissions.get(submission) is None:
            raise CheckFailed(_("the member's survey did not arrive"))
        return _("a package signed, encrypted and imported ({size})").format(
            size=_kilobytes(package.stat().st_size))

    def pdf(self) -> str:
        from pypdf import PdfReader

        out = self.folder / "summary.pdf"
        self.workspace.reports.make("commune", out, {})
        reader = PdfReader(str(out))
        text = "".join(page.extract_text() or "" for page in reader.pages)
        if "Xã Tự Kiểm" not in text:
            raise CheckFailed(_("the PDF written was not read back"))
        if not _drawn(out):
            raise CheckFailed(_("the PDF's first page was drawn blank for the preview"))
        return _("{pages} pages written, read back and drawn for the preview").format(
            pages=len(reader.pages))

    def xlsx(self) -> str:
        import openpyxl

        out = self.folder / "export.xlsx"
        self.workspace.reports.make("xlsx", out, {"names": True})
        book = openpyxl.load_workbook(out, read_only=True)
        try:
            sheets = book.sheetnames
            # the header and the member's survey (read-only sheets know no dimensions)
            rows = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
        finally:
            book.close()
        if not sheets or rows < 2:
            raise CheckFailed(_("the Excel file written was not read back"))
        return _("{sheets} sheets written and read back").format(sheets=len(sheets))

    def close(self) -> None:
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None


def recorded_prompts() -> str:
    """A recorded prompt is written and read back (libsndfile with Opus, bundled)."""
    import math
    from array import array

    from fieldapp.audio import codec, signal

    rate = signal.RATE
    pcm = array("h", (int(8000 * max(0.0, math.sin(math.pi * 1.5 * i / rate))
                          * math.sin(2 * math.pi * 180 * i / rate)) for i in range(2 * rate)))
    try:
        data = codec.encode(pcm, rate)
        back, back_rate = codec.decode(data)
    except codec.AudioUnavailable as exc:
        raise CheckFailed(str(exc)) from None
    if back_rate != rate or abs(len(back) - len(pcm)) > rate // 10:
        raise CheckFailed(_("a recorded prompt does not read back as it was written"))
    return _("Ogg Opus, 2 s in {size}").format(size=_kilobytes(len(data)))


def _drawn(pdf: Path) -> bool:
    """Whether PDFium (pypdfium2, the app's preview) draws ink on the PDF's first page."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf.read_bytes())
    try:
        page = document[0]
        bitmap = page.render(scale=0.5, grayscale=True)  # one byte a pixel
        try:
            pixels, stride = bytes(bitmap.buffer), bitmap.stride
            return any(min(pixels[row * stride:row * stride + bitmap.width]) < 128
                       for row in range(bitmap.height))
        finally:
            bitmap.close()
            page.close()
    finally:
        document.close()


def _kilobytes(size: int) -> str:
    return _("{size} KB").format(size=format_number(max(1, round(size / 1024))))


def names() -> dict[str, str]:
    """The line label of each check, in the interface language."""
    return {"files": _("App files"), "forms": _("Forms and label packs"),
            "catalogs": _("Interface languages"), "fonts": _("Fonts"),
            "database": _("Encrypted database"), "sync": _("Sync package"),
            "pdf": _("PDF report"), "xlsx": _("Excel export"), "prompts": _("Recorded prompts"),
            "paint": _("Screen drawing")}


def run_checks(extra: dict[str, Callable[[], str]] | None = None,
               folder: Path | None = None) -> Iterator[Check]:
    """Run every check (``extra``: more, by name, e.g. the Qt paint) and yield each result
    as soon as it is known. A check that cannot even start (a missing module) fails too."""
    labels = names()
    own = tempfile.TemporaryDirectory(prefix="fieldapp-selfcheck-") if folder is None else None
    work = Path(own.name) if own else folder
    commune = Commune(work)
    steps: list[tuple[str, Callable[[], str]]] = [
        ("files", app_files), ("forms", forms_and_packs), ("catalogs", catalogs),
        ("fonts", pdf_fonts), ("database", commune.create), ("sync", commune.round_trip),
        ("pdf", commune.pdf), ("xlsx", commune.xlsx), ("prompts", recorded_prompts),
        *(extra or {}).items()]
    try:
        for key, step in steps:
            started = time.perf_counter()
            if key in ("sync", "pdf", "xlsx") and commune.workspace is None:
                yield Check(labels[key], False, _("not run: the database check failed"))
                continue
            try:
                detail, ok = step(), True
            except CheckFailed as exc:
                detail, ok = str(exc), False
            except Exception as exc:  # a missing file or module, or a bug: say which
                detail, ok = f"{type(exc).__name__}: {exc}", False
            yield Check(labels.get(key, key), ok, detail, time.perf_counter() - started)
    finally:
        commune.close()
        if own is not None:
            own.cleanup()
