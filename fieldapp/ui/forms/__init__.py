"""Form-filling screens: the page-by-page form view and its editors.

- :class:`~fieldapp.ui.forms.view.FormView` fills in one FormInstance (no storage; saving is a
  callback); its texts come from :mod:`fieldapp.core.forms.labels` (Qt-free).
- :mod:`fieldapp.ui.forms.editors` holds one editor widget per question type.
- :class:`~fieldapp.ui.forms.surveys.SurveysScreen` lists submissions and opens the form view;
  :func:`~fieldapp.ui.forms.surveys.register_surveys_screen` adds it to the main window.
"""

from fieldapp.ui.forms.view import FormView

__all__ = ["FormView"]
