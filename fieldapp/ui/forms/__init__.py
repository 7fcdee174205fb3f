"""Form-filling screens: the page-by-page form view and its editors.

- :class:`~fieldapp.ui.forms.view.FormView` fills in one FormInstance (no storage; saving is a
  callback); its texts come from :mod:`fieldapp.core.forms.labels` and its page list from
  :mod:`fieldapp.core.forms.navigator` (both Qt-free). Its parts: the label-pack bar
  (:mod:`~fieldapp.ui.forms.packbar`), section bar, banner and footer
  (:mod:`~fieldapp.ui.forms.chrome`), roster bar and add-row page
  (:mod:`~fieldapp.ui.forms.roster`), and the editors of the page shown
  (:mod:`~fieldapp.ui.forms.page`).
- :mod:`fieldapp.ui.forms.editors` holds one editor widget per question type.
- :class:`~fieldapp.ui.forms.surveys.SurveysScreen` lists submissions and opens the form view;
  :func:`~fieldapp.ui.forms.surveys.register_surveys_screen` adds it to the main window.
"""

from fieldapp.ui.forms.view import FormView

__all__ = ["FormView"]
