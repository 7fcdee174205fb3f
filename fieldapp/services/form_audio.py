"""Recorded prompts in and out of XLSForm workbooks: the ``media::audio::<language>`` columns.

ODK Collect, Kobo and Survey Solutions play an audio file per label and language named in
``media::audio::Tày (tyz)`` (or ``audio::...``) of the survey and choices sheets, the files
kept in ``<workbook>-media/``. :func:`load_audio` takes such a workbook's recordings into the
app as the prompts of the pack entries (each checked and stored as Ogg Opus, like a recording
made here; a workbook with any bad file stores nothing); :func:`write_audio` writes a copy of
a form's workbook with those columns filled from this laptop's prompts and the files beside it,
so the recordings made in the app travel to the other tools.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.audio import codec, signal
from fieldapp.core.forms.sheets import split_column
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.languages import language_code
from fieldapp.i18n.pack_languages import PACK_LANGUAGES, split_pack_code
from fieldapp.i18n.packs import choice_path, node_path, pack_key
from fieldapp.services.forms import MEDIA_FOLDER_SUFFIX, media_source

if TYPE_CHECKING:
    from fieldapp.services.workspace import Workspace

MAX_PROBLEMS = 20
_PACK_RE = re.compile(r"\(([a-z]{2,3}(?:@[a-z0-9-]+)?)\)\s*$")


@dataclass(frozen=True)
class AudioCell:
    sheet: str
    row: int
    pack: str
    key: str
    file: str


def _is_audio(header: object) -> str | None:
    """The language of an audio column ("media::audio::Tày (tyz)" -> "Tày (tyz)")."""
    if not isinstance(header, str):
        return None
    base, language = split_column(header)
    if base == "media" and language and language.lower().startswith("audio::"):
        return language.split("::", 1)[1].strip() or None
    if base == "audio" and language:
        return language
    return None


def audio_cells(book, form) -> list[AudioCell]:
    """Every file named in an audio column of a pack language, with the pack entry it reads."""
    from fieldapp.services.translate import all_packs

    packs = set(all_packs())
    out = []
    for sheet_name in ("survey", "choices"):
        if sheet_name not in book.sheetnames:
            continue
        rows = book[sheet_name].iter_rows(values_only=True)
        header = [split_column(h)[0] if isinstance(h, str) else "" for h in next(rows, ())]
        raw = list(book[sheet_name].iter_rows(min_row=1, max_row=1, values_only=True))[0]
        columns = {i: _pack_of(lang) for i, h in enumerate(raw)
                   if (lang := _is_audio(h)) is not None and _pack_of(lang) in packs}
        if not columns or "name" not in header:
            continue
        name_at = header.index("name")
        list_at = header.index("list_name") if "list_name" in header else None
        for number, row in enumerate(rows, start=2):
            name = str(row[name_at] or "").strip() if name_at < len(row) else ""
            key = _key(form, sheet_name, name, row[list_at] if list_at is not None
                       and list_at < len(row) else None)
            for i, pack in columns.items():
                file = str(row[i] or "").strip() if i < len(row) else ""
                if file and key:
                    out.append(AudioCell(sheet_name, number, pack, key, file))
    return out


def _pack_of(language: str) -> str:
    """"Tày (tyz)" -> "tyz", "Dao (Iu Mien) (ium@dao-vn)" -> "ium@dao-vn" (a pack code may name
    its script after "@", which XLSForm language codes do not)."""
    match = _PACK_RE.search(language)
    return match.group(1) if match else language_code(language)


def _key(form, sheet: str, name: str, list_name: object) -> str | None:
    if not name:
        return None
    if sheet == "survey":
        node = form.nodes.get(name)
        return pack_key(form.form_id, node_path(node), "label") if node is not None else None
    if not list_name:
        return None
    return pack_key(form.form_id, choice_path(str(list_name).strip(), name), "label")


def _as_prompt(data: bytes, file: str) -> codec.Prompt:
    """A prompt from a file: an Ogg Opus prompt such as write_audio writes is kept as it is (a
    round trip changes nothing); anything else is re-encoded."""
    if codec.looks_like_prompt(data):
        try:
            pcm, rate = codec.decode(data)
        except codec.AudioFileError:
            pcm, rate = None, 0
        if pcm is not None and rate == signal.RATE and not signal.problem(pcm, rate):
            return codec.Prompt(bytes(data), round(1000 * len(pcm) / rate))
    return codec.prompt_from_file(data, file)


def load_audio(workspace: "Workspace", workbook: Path) -> int:
    """Store the recordings a workbook names as the prompts of its pack entries; returns how
    many. Refused whole (UserError listing the problems) if any file is missing or cannot be a
    prompt: nothing stored changes."""
    import openpyxl

    from fieldapp.services.forms import load_form_file

    from fieldapp.core.forms import FormLoadError

    translations = workspace.translations
    translations._require()
    try:
        form = load_form_file(workbook)
    except FormLoadError as exc:  # one sentence, as every refused input
        raise UserError(str(exc)) from None
    try:  # a form this laptop has: its entries' keys exist
        translations.form(form.form_id)
    except KeyError:
        raise UserError(_("There is no form {form}.").format(form=form.form_id)) from None
    book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    try:
        cells = audio_cells(book, form)
    finally:
        book.close()
    read = media_source(workbook)
    prompts, problems = [], []
    for cell in cells:
        where = f"{cell.sheet}:{cell.row} {cell.file}"
        data = read(cell.file)
        if data is None:
            problems.append(_("{where}: the file is not in {folder}.").format(
                where=where, folder=workbook.stem + MEDIA_FOLDER_SUFFIX))
            continue
        try:
            prompts.append((cell, _as_prompt(data, cell.file)))
        except UserError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        more = len(problems) - MAX_PROBLEMS
        raise UserError("\n".join(problems[:MAX_PROBLEMS] + ([_("… and {count} more").format(
            count=more)] if more > 0 else [])))
    with workspace.store.transaction():
        for cell, prompt in prompts:
            translations.set_prompt(cell.pack, cell.key, prompt)
    return len(prompts)


def write_audio(workspace: "Workspace", form_id: str, out: Path) -> Path:
    """A copy of the form's workbook at ``out`` with a ``media::audio::<language>`` column per
    pack that has recordings on this laptop (its own, not a parent's), and the files in
    ``<out>-media/``."""
    import openpyxl

    from fieldapp.services.translate import all_packs

    translations = workspace.translations
    info = next((i for i in workspace.surveys.catalog.infos() if i.form_id == form_id), None)
    if info is None:
        raise UserError(_("There is no form {form}.").format(form=form_id))
    form = translations.form(form_id)
    book = openpyxl.load_workbook(io.BytesIO(info.path.read_bytes()))
    media = out.parent / (out.stem + MEDIA_FOLDER_SUFFIX)
    for pack in all_packs():
        own = workspace.store.pack_entries.audio_keys(pack, form_id)
        if not own:
            continue
        language, _script = split_pack_code(pack)
        name = PACK_LANGUAGES[language].name if language in PACK_LANGUAGES else pack
        header = f"media::audio::{name} ({pack})"
        for sheet_name in ("survey", "choices"):
            if sheet_name not in book.sheetnames:
                continue
            sheet = book[sheet_name]
            heads = [c.value for c in sheet[1]]
            names = [split_column(h)[0] if isinstance(h, str) else "" for h in heads]
            if "name" not in names:
                continue
            column = heads.index(header) + 1 if header in heads else len(heads) + 1
            sheet.cell(row=1, column=column, value=header)
            list_at = names.index("list_name") if "list_name" in names else None
            for row in sheet.iter_rows(min_row=2):
                name_value = str(row[names.index("name")].value or "").strip()
                key = _key(form, sheet_name, name_value,
                           row[list_at].value if list_at is not None else None)
                if key not in own:
                    continue
                stem = name_value if sheet_name == "survey" else \
                    f"{row[list_at].value}-{name_value}"
                file = f"{pack}-{stem}.ogg".replace("/", "_")
                media.mkdir(parents=True, exist_ok=True)
                (media / file).write_bytes(translations.prompt(pack, key, inherit=False))
                sheet.cell(row=row[0].row, column=column, value=file)
    book.save(out)
    return out
