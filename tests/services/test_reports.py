"""The commune report, checked against a second computation: every indicator recomputed from the
raw submissions (``fieldapp dump``, tests/services/independent.py) and compared with the PDF's
text (pypdf), the DOCX's tables (python-docx) and the XLSX indicator sheet; the layout of an
administrative report (Decree 30/2020/NĐ-CP); bad input, each with a clear line."""

from __future__ import annotations

import datetime as dt
import io

import independent as ind
import openpyxl
import pytest
from readback import flat, fonts_of, text_of

from fieldapp.reports.pdf import OutputProblem
from fieldapp.services import exports, reports
from fieldapp.services.indicators import Period

TODAY = dt.date(2026, 11, 28)
YEAR = Period.parse("2026")

pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(240, 4)


@pytest.fixture(scope="module")
def raw(demo):
    return ind.dump(demo)


@pytest.fixture
def store(demo, open_store):
    return open_store(demo)


@pytest.fixture(scope="module")
def written(demo, tmp_path_factory):
    """The report of 2026 as PDF and DOCX, and the XLSX export of the same period."""
    from fieldapp.i18n import catalog
    from fieldapp.storage.store import Store

    catalog.set_language("vi")
    folder = tmp_path_factory.mktemp("report")
    store = Store.open(demo)
    try:
        pdf = reports.commune_summary(store, folder / "xa.pdf", period=YEAR, today=TODAY).path
        docx = reports.commune_summary(store, folder / "xa.docx", period=YEAR,
                                       today=TODAY).path
        xlsx = exports.export_xlsx(store, folder / "xa.xlsx", period=YEAR, today=TODAY).path
    finally:
        store.close()
    return {"pdf": pdf, "docx": docx, "xlsx": xlsx}


def docx_rows(path) -> list[list[str]]:
    from docx import Document

    document = Document(str(path))
    return [[" ".join(cell.text.split()) for cell in row.cells]
            for table in document.tables for row in table.rows]


def docx_text(path) -> str:
    from docx import Document

    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return flat("\n".join(parts))


def _names(store) -> dict[str, str]:
    from fieldapp.services.indicators import load_indicators

    return {i.id: i.name for i in load_indicators().indicators}


# -- every printed indicator, recomputed -------------------------------------------------------

def test_every_indicator_in_the_docx_is_the_independent_count(raw, written, store):
    """Table 1 of the appendix: each indicator's share with n/N, not asked, don't know,
    refused, the previous period's share and the change, as a second computation gets them."""
    names = _names(store)
    now = ind.chosen_rounds(raw, "2026")
    before = ind.chosen_rounds(raw, "2025")
    rows = {r[1]: r for r in docx_rows(written["docx"]) if len(r) == 12 and r[0].isdigit()}
    assert len(rows) == len(ind.EVERY)
    for key in ind.EVERY:
        mine, previous = ind.count(now, key), ind.count(before, key)
        row = rows[names[key]]
        assert row[3] == (ind.vn(mine.population) if mine.population else "không có ai"), key
        assert row[4] == mine.text(), (key, row)
        assert (row[5], row[6], row[7]) == (ind.vn(mine.not_asked), ind.vn(mine.dont_know),
                                            ind.vn(mine.refused)), (key, row)
        assert row[8] == previous.text(), (key, row)
        if mine.big_n >= ind.SMALL and previous.big_n >= ind.SMALL:
            points = (mine.n / mine.big_n - previous.n / previous.big_n) * 100
            assert row[9].endswith(f"{abs(points):.1f}".replace(".", ",")), (key, row, points)
        else:
            assert row[9] == "–", key


def test_every_printed_figure_of_the_pdf_is_the_independent_count(raw, written, store):
    names = _names(store)
    text = flat(text_of(written["pdf"]))
    now = ind.chosen_rounds(raw, "2026")
    before = ind.chosen_rounds(raw, "2025")
    for key in ind.EVERY:
        for rounds in (now, before):
            figure = ind.count(rounds, key).text()
            if figure not in ("–", "—"):
                assert figure in text, (key, figure)
    for code in ind.BARRIERS:
        figure = ind.barrier(now, code).text()
        assert figure in text or figure == "–", (code, figure)
    # By village: each key indicator of each village.
    villages = {v["id"]: v["name"] for v in raw["villages"]}
    for village_id in villages:
        for key in ind.KEY:
            figure = ind.count(now, key, village_id).text()
            if figure not in ("–", "—"):
                assert figure in text, (villages[village_id], key, figure)
    assert names["smartphone"] in text


def test_the_xlsx_indicator_sheet_is_the_independent_count(raw, written):
    book = openpyxl.load_workbook(io.BytesIO(written["xlsx"].read_bytes()), read_only=True)
    sheet = book["indicators"]
    lines = list(sheet.iter_rows(values_only=True))
    codes = lines[1]
    rows = [dict(zip(codes, line)) for line in lines[2:]
            if line and len(line) > 3 and line[3]]
    now = ind.chosen_rounds(raw, "2026")
    for key in ind.EVERY:
        commune = next(r for r in rows if r["indicator"] == key and not r["village"])
        mine = ind.count(now, key)
        assert (commune["population"], commune["not_asked"], commune["dont_know"],
                commune["refused"]) == (mine.population, mine.not_asked, mine.dont_know,
                                        mine.refused), key
        if mine.big_n >= ind.SMALL:
            assert (commune["n"], commune["denominator"]) == (mine.n, mine.big_n), key
        else:  # a small cell: no counts, "–"
            assert commune["n"] is None and commune["value_text"] in ("–", "—"), key
        for row in (r for r in rows if r["indicator"] == key and r["village"]):
            village = ind.count(now, key, row["village"])
            assert row["value_text"] == village.text().split(" (")[0], (key, row["village"])
    notes = [line[0] for line in lines if line and line[0] and str(line[0]).startswith("“–”")]
    assert notes, "the sheet explains the dash"


def test_the_report_says_how_many_of_the_registry_were_surveyed(raw, written):
    text = flat(text_of(written["pdf"]))
    surveyed = len(ind.chosen_rounds(raw, "2026"))
    registry = ind.registry_households(raw)
    assert f"đã phỏng vấn {ind.vn(surveyed)} trong số {ind.vn(registry)} hộ" in text
    before = len(ind.chosen_rounds(raw, "2025"))
    assert f"trong năm 2025 đã phỏng vấn {ind.vn(before)} hộ" in text
    assert surveyed < registry and before > 0  # the demo has two rounds


def test_sessions_count_persons_and_whole_households_apart(raw, written):
    expected = ind.sessions(raw, "2026")
    assert expected["households"] > 0  # the demo helps some households as a whole
    text = flat(text_of(written["pdf"]))
    assert (f"{ind.vn(expected['sessions'])} buổi hỗ trợ: {ind.vn(expected['persons'])} lượt "
            f"hỗ trợ một người và {ind.vn(expected['households'])} lượt hỗ trợ cả hộ") in text
    table = {r[0]: r[1] for r in docx_rows(written["docx"]) if len(r) == 2}
    from fieldapp.services.workflow_codes import shipped_codes

    labels = {c.code: c.label("vi") for c in shipped_codes().outcomes}
    for code, n in expected["outcomes"].items():
        assert table[labels.get(code, code)] == ind.vn(n), code


# -- the document ------------------------------------------------------------------------------

def test_the_report_is_laid_out_as_decree_30_asks(written, store):
    text = text_of(written["pdf"])
    commune = store.commune()["name"]
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "UBND TỈNH LẠNG SƠN", "Số: .../BC-UBND", "ngày 28 tháng 11 năm 2026",
                  "BÁO CÁO", "Kết quả chuyển đổi số cộng đồng năm 2026", "Nơi nhận:",
                  "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nghị quyết 49-NQ/TU ngày 28/9/2021 của "
                  "Tỉnh ủy Lạng Sơn", "PHỤ LỤC", "CÁCH TÍNH SỐ LIỆU"):
        assert words in flat(text), words
    issuer = commune.upper().replace("XÃ ", "", 1)
    assert f"UBND XÃ {issuer}" in flat(text)
    assert "(002:" not in text and "[module]" not in text
    fonts = fonts_of(written["pdf"])
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert {name.split("+")[-1] for name, _e in fonts} <= {
        "LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
        "LiberationSerif-BoldItalic"}
    docx = docx_text(written["docx"])
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: .../BC-UBND", "Nơi nhận:",
                  "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"):
        assert words in docx, words


def test_the_body_font_is_13_pt_and_the_same_day_gives_the_same_bytes(store, tmp_path):
    from fieldapp.reports.official import BODY_SIZE

    assert 13 <= BODY_SIZE <= 14
    a = reports.commune_summary(store, tmp_path / "a.pdf", period=YEAR, today=TODAY).path
    b = reports.commune_summary(store, tmp_path / "b.pdf", period=YEAR, today=TODAY).path
    assert a.read_bytes() == b.read_bytes()


def test_the_report_names_nobody(raw, written):
    text = flat(text_of(written["pdf"])) + docx_text(written["docx"])
    names = [p["full_name"] for p in raw["persons"][:300]]
    assert not [name for name in names if name in text]


def test_staff_may_replace_the_generated_paragraphs(store, tmp_path):
    own = ["Năm 2026 xã tập trung hướng dẫn người cao tuổi.", "Đề nghị tỉnh hỗ trợ thêm."]
    out = reports.commune_summary(store, tmp_path / "own.docx", period=YEAR, today=TODAY,
                                  narrative=own).path
    text = docx_text(out)
    assert all(p in text for p in own)
    assert "Các thôn, bản còn thấp nhất" not in text


# -- bad input: a clear line, never a division error or an empty table -------------------------

def test_a_period_without_surveys(store, tmp_path):
    text = flat(text_of(reports.commune_summary(store, tmp_path / "p.pdf",
                                                period=Period.parse("2020-Q1"),
                                                today=TODAY).path))
    assert "Trong quý I năm 2020 chưa có hộ nào được phỏng vấn" in text
    assert "Trong quý I năm 2020 không ghi nhận buổi hỗ trợ nào" in text


def test_one_village_a_zero_population_and_missing_targets(store, raw, tmp_path):
    village = sorted(raw["villages"], key=lambda v: v["position"])[0]
    text = flat(text_of(reports.commune_summary(store, tmp_path / "v.pdf",
                                                village=village["name"].upper(),
                                                period=YEAR, today=TODAY).path))
    rounds = ind.chosen_rounds(raw, "2026", village["id"])
    figure = ind.count(rounds, "smartphone").text()
    assert village["name"] in text and (figure in text or figure == "–")
    assert "Chưa có mục tiêu của tỉnh cho:" in text
    # The quarter of a few visits: indicators of nobody's population, villages not comparable.
    quarter = flat(text_of(reports.commune_summary(store, tmp_path / "q.pdf",
                                                   period=Period.parse("2026-Q3"),
                                                   today=TODAY).path))
    rounds = ind.chosen_rounds(raw, "2026-Q3")
    empty = [key for key in ind.EVERY if ind.count(rounds, key).population == 0]
    assert rounds and empty  # a quarter of few visits: some populations are empty
    assert "thuộc đối tượng của:" in quarter
    commune = store.commune()
    store.villages.add_village(commune["id"], "Bản Mới Lập")
    try:
        lonely = flat(text_of(reports.commune_summary(store, tmp_path / "n.pdf",
                                                      village="Bản Mới Lập", period=YEAR,
                                                      today=TODAY).path))
        assert "Bản Mới Lập" in lonely and "chưa có hộ nào được phỏng vấn" in lonely
    finally:
        store.villages.tombstone(store.villages.list()[-1]["id"], "test")


def test_an_unknown_village_and_an_unwritable_path_are_one_clear_message(store, tmp_path):
    from fieldapp.errors import UserError

    with pytest.raises(UserError, match="Không có thôn, bản Bản Không Có"):
        reports.commune_summary(store, tmp_path / "x.pdf", village="Bản Không Có")
    with pytest.raises(OutputProblem, match="không tồn tại"):
        reports.commune_summary(store, tmp_path / "missing" / "x.pdf")
    with pytest.raises(UserError, match=r"\.pdf hoặc \.docx"):
        reports.commune_summary(store, tmp_path / "x.odt")
    assert not (tmp_path / "x.pdf").exists()


# -- the DOCX opens in LibreOffice ---------------------------------------------------------------

def _soffice():
    import os
    import shutil

    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing: .ci/run installs it")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    return found


def test_the_docx_opens_in_libreoffice_with_the_same_figures(raw, written, tmp_path):
    """LibreOffice converts the DOCX to PDF headless; that PDF holds the report's words and
    the same figures as the report's own PDF."""
    import subprocess

    soffice = _soffice()
    profile = tmp_path / "profile"
    done = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(written["docx"])], capture_output=True, text=True, timeout=240)
    converted = tmp_path / "xa.pdf"
    assert converted.is_file(), done.stdout + done.stderr
    text = flat(text_of(converted))
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "Nơi nhận:",
                  "TM. ỦY BAN NHÂN DÂN", "PHỤ LỤC"):
        assert words in text, words
    now = ind.chosen_rounds(raw, "2026")
    for key in ind.KEY:
        figure = ind.count(now, key).text()
        if figure not in ("–", "—"):
            assert figure in text, (key, figure)
