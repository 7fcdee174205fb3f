"""`fieldapp check`: integrity, migration state and counts of a database file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fieldapp.i18n.catalog import _
from fieldapp.storage import db as dbmod
from fieldapp.storage.versions import MIGRATIONS
from fieldapp.storage.store import Store


@dataclass
class HealthReport:
    path: Path
    applied: list[str]
    pending: list[str]
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return not self.problems and not self.pending


def check_database(path: Path) -> HealthReport:
    """Inspect without migrating or creating anything; raises StorageError for unusable files."""
    path = Path(path)
    if not path.exists():
        raise dbmod.StorageError(
            _("{path} does not exist.").format(path=path))
    applied = dbmod.inspect_file(path)
    pending = [m for m in MIGRATIONS if m not in applied]
    report = HealthReport(path, applied, pending)
    database = dbmod.connect(path, migrate=False)
    try:
        report.problems = dbmod.integrity_problems(database)
        if not pending:
            report.counts = Store(database, path).counts()
    finally:
        database.close()
    return report
