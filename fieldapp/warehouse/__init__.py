"""The province's (and the nation's) warehouse on PostgreSQL: every commune's merged records,
their history and the indicators as SQL views.

A province laptop verifies and merges commune packages in its own SQLite database as every
laptop does (fieldapp.storage, fieldapp.services.sync); the warehouse only receives the result:

- :mod:`~fieldapp.warehouse.schema` derives one table per record kind from the kinds'
  declarations (fieldapp.core.kinds: a new kind needs no code here), the change log as
  ``history`` (one row per group: one record, one stamp), each partitioned by commune (a
  province's warehouse) or by province (the national one);
- :mod:`~fieldapp.warehouse.publish` sends what the warehouse has not acknowledged, in batches
  of one transaction each, with the cursor in the same transaction (a killed publish resumes
  without duplicates); erasures delete there too, history included;
- :mod:`~fieldapp.warehouse.check` compares the warehouse with the province database (counts
  and a digest per commune and kind);
- :mod:`~fieldapp.warehouse.indicator_sql` turns each indicator of ``indicators.toml`` into SQL
  views (the XLSForm expressions translated; what cannot be translated is refused by name);
- :mod:`~fieldapp.warehouse.cluster` starts a local PostgreSQL cluster on a Unix socket
  (``fieldapp warehouse init --local FOLDER``, and the tests).

This package is the only one that imports psycopg (import-linter contract
``postgres-only-in-warehouse``); it reads SQLite only through fieldapp.storage, never imports
services, the command line or the ui, and nothing below it imports it. psycopg is an optional
dependency (``pip install 'fieldapp[warehouse]'``): without it :func:`connect.psycopg` says what
is missing and the rest of fieldapp runs as before.
"""
