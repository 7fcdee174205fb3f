"""Printed outputs and exports: reportlab documents (A4, Vietnamese, the bundled DejaVu Sans
embedded) and XLSX/CSV tables, written from plain data the services gather.

- :mod:`~fieldapp.reports.pdf`: fonts, styles, tables that split across pages, page numbers,
  byte-identical output (reportlab's invariant mode) and writing the file;
- :mod:`~fieldapp.reports.summary`: the commune summary;
- :mod:`~fieldapp.reports.progress`: trainer progress sheets (class grid, learner sheet);
- :mod:`~fieldapp.reports.questionnaire`: any form printed blank (or pre-filled) for paper;
- :mod:`~fieldapp.reports.handout`: a household's citizen handout;
- :mod:`~fieldapp.reports.tables`: the XLSX and CSV exports, written as a stream.

No Qt and no database here: the services read the data and call these (import-linter keeps
reports from importing ui, storage or services).
"""
