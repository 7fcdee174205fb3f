"""PySide6 screens, Qt models and dialogs: the only package that imports Qt.

- app.run(db_path): start-up (the CLI's entry; screenshots.take_screenshots for
  --screenshot); build_main_window / build_app_window
- main_window.MainWindow.add_screen(key, title_fn, widget_factory, icon, position): navigation
- context.AppContext: the Store, app-wide signals (data_changed, language_changed), the reader
- tasks.run_in_background(fn, on_success, on_failure, progress=, cancellable=): long work
- reader.BackgroundReader: slow reads on one worker connection, newest request wins
- models: thin table models over Store rows; screens/: Home, Households, Settings
- setup_dialog.SetupDialog: first-run setup
"""
