"""``fieldapp --self-check``: one line per check in the interface language, exit 0 only when
every check passed (fieldapp.services.selfcheck; the Qt paint from fieldapp.ui.selfcheck).

The windowed ``fieldapp`` of a built app on Windows has no console: its lines are shown in a
message box instead (``fieldapp-cli --self-check`` prints them).
"""

from __future__ import annotations

import sys
import time

from fieldapp.i18n.catalog import _, pgettext
from fieldapp.i18n.formatting import format_number


def run() -> int:
    from fieldapp.services.selfcheck import names, run_checks

    def paint() -> str:
        from fieldapp.ui.selfcheck import paint as qt_paint

        return qt_paint()

    started = time.perf_counter()
    lines, failed = [], 0
    for check in run_checks({"paint": paint}):
        mark = pgettext("self-check result", "OK") if check.ok else \
            pgettext("self-check result", "FAILED")
        line = f"{mark:6} {check.name}: {check.detail}"
        failed += not check.ok
        lines.append(line)
        if sys.stdout is not None:
            print(line, flush=True)
    total = len(names())
    summary = (_("All {count} checks passed in {seconds} s.") if not failed else
               _("{failed} of {count} checks failed: install fieldapp again, or show these "
                 "lines to whoever supports you.")).format(
        count=total, failed=failed,
        seconds=format_number(time.perf_counter() - started, decimals=1))
    lines.append(summary)
    if sys.stdout is not None:
        print(summary, flush=True)
    else:
        from fieldapp.ui.selfcheck import show_lines

        show_lines(lines, failed)
    return 0 if not failed else 1
