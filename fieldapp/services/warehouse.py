"""The province's warehouse (fieldapp.warehouse) as the command line uses it.

- :func:`init` makes a warehouse in a PostgreSQL database (or first a cluster of its own in a
  folder, ``local``) and its indicator views, from the indicator files this laptop uses;
- :class:`WarehouseService` (``workspace.warehouse``, commune staff of the province database):
  :meth:`~WarehouseService.publish` and :meth:`~WarehouseService.check`;
- :func:`province_data` reads the indicators of every commune back from the views, for the
  province's report (fieldapp.reports.province_report, the same document as ``report
  province``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fieldapp.core.indicators import IndicatorSet
from fieldapp.i18n.catalog import _
from fieldapp.storage.publishing import PublishSource
from fieldapp.storage.store import Store
from fieldapp.warehouse import schema
from fieldapp.warehouse.connect import WarehouseError, connect, safe_dsn


@dataclass
class InitResult:
    dsn: str
    level: str
    created: bool
    added: list[str]
    indicators: int
    refused: list
    """(indicator, why) of the indicators without a view."""
    local: Path | None = None


def _indicators(indicators: IndicatorSet | None) -> IndicatorSet:
    if indicators is not None:
        return indicators
    from fieldapp.services.indicators import load_indicators

    return load_indicators()


def init(dsn: str | None = None, *, national: bool = False, local: Path | None = None,
         indicators: IndicatorSet | None = None) -> InitResult:
    """Make (or bring up to date) the warehouse at ``dsn``, or in a cluster of its own in the
    folder ``local`` (made and started if needed)."""
    from fieldapp.warehouse import indicator_sql

    if local is not None:
        from fieldapp.warehouse.cluster import LocalCluster

        dsn = LocalCluster(Path(local)).ensure().dsn()
    if not dsn:
        raise WarehouseError(_("Give the warehouse's address with --dsn, or a folder for a "
                               "warehouse of its own with --local."))
    wanted = schema.NATIONAL if national else schema.PROVINCE
    indicators = _indicators(indicators)
    with connect(dsn) as conn:
        meta = schema.read_meta(conn)
        with conn.transaction():
            if meta is None:
                schema.create(conn, wanted)
                added, created = [], True
            else:
                meta = schema.require(conn, safe_dsn(dsn))
                if national and meta.get("level") != schema.NATIONAL:
                    raise WarehouseError(_("{dsn} is a province's warehouse, not a national "
                                           "one.").format(dsn=safe_dsn(dsn)))
                added, created = schema.ensure_kinds(conn, meta["level"]), False
                schema.ensure_indexes(conn, meta["level"])
            level = meta["level"] if meta else wanted
            count, refused = indicator_sql.install(conn, indicators)
    return InitResult(dsn, level, created, added, count, refused,
                      Path(local) if local else None)


class WarehouseService:
    """Publishing this (province) database to a warehouse, and comparing the two."""

    def __init__(self, store: Store):
        self.store = store

    def publish(self, dsn: str, *, full: bool = False, batch: int | None = None,
                progress: Callable[[int, int], None] = lambda d, t: None,
                cancelled: Callable[[], bool] = lambda: False):
        """Send what the warehouse has not acknowledged (everything with ``full``)."""
        from fieldapp.warehouse import indicator_sql
        from fieldapp.warehouse.publish import BATCH, Publisher

        with connect(dsn, autocommit=True) as conn:
            publisher = Publisher(PublishSource(self.store), conn, safe_dsn(dsn),
                                  batch=batch or BATCH,
                                  side=lambda: connect(dsn, autocommit=True))
            cases = indicator_sql.case_keeper(conn)
            return publisher.run(full=full, progress=progress, cancelled=cancelled,
                                 cases=cases)

    def check(self, dsn: str):
        """The differences between this database and the warehouse (none: equal)."""
        from fieldapp.warehouse.check import compare

        with connect(dsn) as conn:
            return compare(PublishSource(self.store), conn, safe_dsn(dsn))

    def commune_names(self) -> dict[str, str]:
        """{commune id: name} (to name the communes a check or a publish speaks of)."""
        return PublishSource(self.store).communes()


def province_data(dsn: str, *, period=None, today: dt.date | None = None,
                  province: str | None = None, indicators: IndicatorSet | None = None):
    """The province report's data (fieldapp.reports.province_report.ProvinceData) from the
    warehouse's indicator views: one row per commune with households."""
    from fieldapp.i18n.text import sort_key
    from fieldapp.reports.province_report import CommuneRow, ProvinceData
    from fieldapp.services.indicators import default_period
    from fieldapp.warehouse import figures

    today = today or dt.date.today()
    period = period if period is not None and period.key else default_period(today)
    indicators = _indicators(indicators)
    with connect(dsn) as conn:
        meta = schema.require(conn, safe_dsn(dsn))
        found = figures.communes(conn, safe_dsn(dsn), indicators, period, province)
    national = meta.get("level") == schema.NATIONAL
    rows = [CommuneRow(f"{c.name} ({c.province})" if national else c.name, c.current,
                       c.previous) for c in found]
    rows.sort(key=lambda r: sort_key(r.name))
    office = (_("National warehouse") if national else
              meta.get("office_name") or meta.get("province_name") or "")
    return ProvinceData(office, meta.get("province_name", ""), today, "", period,
                        period.previous(), rows, indicators.small_cell)


def write_report(dsn: str, out: Path, *, period=None, today: dt.date | None = None):
    """The province's report from the warehouse, PDF or DOCX by the suffix of ``out``."""
    from fieldapp.reports import province_report
    from fieldapp.services.reports import _write, report_format

    kind = report_format(out)
    data = province_data(dsn, period=period, today=today)
    content = (province_report.render_pdf(data) if kind == "pdf"
               else province_report.render_docx(data))
    return _write(out, content, None, "province")
