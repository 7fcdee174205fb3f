"""SQLite through sqlite-utils: schema, migrations and repositories. The only place with SQL."""
