"""Use cases (first-run setup, demo commune, checks, surveys), shared by the CLI and the UI."""
