"""Where ``geo`` finds its data: read fresh on every call, no module-global mutable state."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the folder that holds ``osm_drive/``.
DATA_DIR_ENV = "SHUYUN_DATA_DIR"


def data_dir() -> Path:
    """Return the folder holding the Beilin data (the one containing ``osm_drive/``).

    Returns
    -------
    Path
        ``$SHUYUN_DATA_DIR`` if set and non-empty, else ``<repo>/../shared/data/beilin``.
    """
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    repo = Path(__file__).resolve().parents[1]
    return (repo / ".." / "shared" / "data" / "beilin").resolve()
