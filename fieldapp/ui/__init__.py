"""PySide6 screens, Qt models and dialogs: the only package that imports Qt."""
