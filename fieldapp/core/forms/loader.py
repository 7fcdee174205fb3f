"""Load a form from its workbook's bytes (.xlsx, pyxform .md or .csv) into a checked :class:`Form`.

pyxform reads the workbook (:mod:`~fieldapp.core.forms.reading`); the engine builds the form from
the raw rows itself and runs its own checks (:mod:`~fieldapp.core.forms.building`), so every
problem comes with sheet, row and column and all problems are reported at once (pyxform stops at
its first error). pyxform's verdict is added when it finds something the engine's own checks did
not. Reading files is the caller's business (:mod:`fieldapp.services.forms`).
"""

from __future__ import annotations

import hashlib
import logging
import os

from fieldapp.core.forms.building import FormBuilder
from fieldapp.core.forms.media import MediaSource, no_media
from fieldapp.core.forms.model import Form
from fieldapp.core.forms.problems import FormLoadError, FormProblem, Message, file_problem
from fieldapp.core.forms.reading import pyxform_problems, read_definition
from fieldapp.core.forms.sheets import CHOICES, ENTITIES, SETTINGS, SURVEY
from fieldapp.i18n.catalog import N_

log = logging.getLogger(__name__)


def load_form(data: bytes, filename: str, *, source_label: str | None = None,
              media: MediaSource = no_media) -> Form:
    """Check and build the form whose workbook is ``data``.

    ``filename`` gives the format (by its suffix), the form_id when the settings give none,
    and names the file in problems unless ``source_label`` is given. ``media`` returns the
    data files shipped with the form by name (CSV, XML, GeoJSON). A form without a version
    gets one derived from its bytes. Raises FormLoadError listing every problem found; no
    other exception escapes for bad input.
    """
    label = source_label or filename
    try:
        definition = read_definition(data, filename, label)
        builder = FormBuilder(label, definition)
        builder.fallback_id = os.path.splitext(os.path.basename(filename))[0]
        builder.content_version = content_version(data)
        builder.media = media
        form, problems = builder.build()
        problems.extend(pyxform_problems(label, definition, problems))
    except FormLoadError:
        raise
    except Exception as exc:  # a checker bug must not become a traceback for the user
        # Logged without the traceback at warning level (the CLI must never print one);
        # the traceback goes to debug logging for developers.
        log.warning("internal error while loading form %s: %r", label, exc)
        log.debug("traceback of the internal error", exc_info=True)
        raise file_problem(label, N_("internal error while checking the form: {detail}"),
                           detail=repr(exc))
    if problems or form is None:
        raise FormLoadError(_sorted(problems) or [
            FormProblem(label, None, None, None, Message(N_("the form could not be built")))])
    return form


def content_version(data: bytes) -> str:
    """The version of a workbook that names none: from its bytes, so that changing the form
    makes a new version (ODK Central versions such forms by upload instead)."""
    return "h" + hashlib.sha256(data).hexdigest()[:12]


def _sorted(problems: list[FormProblem]) -> list[FormProblem]:
    order = {None: 0, SURVEY: 1, CHOICES: 2, SETTINGS: 3, ENTITIES: 4}
    return sorted(problems, key=lambda p: (order.get(p.sheet, 5), p.row or 0, p.column or ""))
