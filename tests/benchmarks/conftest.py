"""Make the repository's ``benchmarks`` scripts importable from these tests.

``benchmarks/`` is a folder of scripts, not an installed package (the project installs
``optimizer``, ``geo``, ``catalog``, ``dispatch``, ``settings`` and ``api``): the repository
root goes on the path.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
