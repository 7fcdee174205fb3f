# Run-time hook of the built app (build.spec), in place of PyInstaller's PySide6 hook, which
# imports QtCore (and shiboken's signature machinery, 40 ms) before the app's first line even
# when the command needs no Qt. Qt finds its plugins through QT_PLUGIN_PATH instead of an
# embedded qt.conf; on Windows its DLLs are beside PySide6's modules.
import os
import sys

_qt = os.path.join(sys._MEIPASS, "PySide6") if sys.platform == "win32" else \
    os.path.join(sys._MEIPASS, "PySide6", "Qt")
os.environ["QT_PLUGIN_PATH"] = os.path.join(_qt, "plugins")
if sys.platform == "win32":
    os.environ["PATH"] = sys._MEIPASS + os.pathsep + os.environ.get("PATH", "")
del _qt
