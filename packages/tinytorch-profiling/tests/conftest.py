"""Puts this folder on sys.path so the tests share their model builders.

Needed under `--import-mode=importlib`, which does not add test folders to sys.path, both for this
package's own pytest run and for the one run over every package (tools/pytest.ini).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
