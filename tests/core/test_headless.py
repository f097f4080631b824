"""The core must import and run where Qt cannot be imported at all."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import sanitas.core

BLOCK_QT = """
import sys
class _NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'superqt', 'qtpy'):
            raise ImportError('Qt is blocked in the headless test: ' + name)
sys.meta_path.insert(0, _NoQt())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print('imported', len(sys.argv) - 1)
"""


def test_every_core_module_imports_without_qt() -> None:
    modules = [m.name for m in pkgutil.walk_packages(sanitas.core.__path__, "sanitas.core.")]
    assert "sanitas.core.engine" in modules
    done = subprocess.run([sys.executable, "-c", BLOCK_QT, *modules], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"imported {len(modules)}" in done.stdout
