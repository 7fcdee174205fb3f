"""The forms engine: XLSForm loading and checking, the form model, and the filling-in runtime.

- :func:`load_form` builds a form from a workbook's bytes (read with pyxform) and checks
  everything up front (raising :class:`FormLoadError` with :class:`FormProblem` items). Reading
  form files is :mod:`fieldapp.services.forms`' business: the engine touches no files.
- :class:`Form` and its :class:`Field` / :class:`Group` / :class:`Repeat` nodes describe a form.
- :class:`FormInstance` is what the UI drives: answers, relevance, calculations, validation,
  pages, choices (with :class:`RegistryLookup` for registry lists) and entity operations.
- :mod:`~fieldapp.core.forms.navigator` moves through the pages, and
  :mod:`~fieldapp.core.forms.labels` gives the texts as a person reads them (the form's own
  language, or a label pack beside Vietnamese), for the screen and the printed questionnaire.
"""

from fieldapp.core.forms.answers import PathError
from fieldapp.core.forms.choices import EmptyRegistry, RegistryLookup
from fieldapp.core.forms.entity_operations import EntityOperation
from fieldapp.core.forms.instance import FormInstance
from fieldapp.core.forms.loader import load_form
from fieldapp.core.forms.model import (
    REGISTRY_FILES,
    Choice,
    ChoiceList,
    EntityDeclaration,
    Field,
    Form,
    Group,
    Node,
    Repeat,
    Texts,
    pick_text,
)
from fieldapp.core.forms.pages import Page, Section
from fieldapp.core.forms.problems import FormLoadError, FormProblem
from fieldapp.i18n.languages import language_code

__all__ = [
    "Choice", "ChoiceList", "EmptyRegistry", "EntityDeclaration", "EntityOperation", "Field",
    "Form", "FormInstance", "FormLoadError", "FormProblem", "Group", "Node", "Page", "PathError",
    "REGISTRY_FILES", "Repeat", "RegistryLookup", "Section", "Texts", "language_code",
    "load_form", "pick_text",
]
