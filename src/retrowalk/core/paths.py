"""Where retrowalk keeps what it stores: the one data directory of the product.

The database, uploaded files, reports and direction calibration profiles all
live under :func:`default_data_dir`. Nothing here imports the rest of the
package (or SQLAlchemy), so the command line can find stored profiles quickly.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "RETROWALK_DATA_DIR"


def default_data_dir() -> Path:
    """Where retrowalk keeps its database and files.

    ``RETROWALK_DATA_DIR`` if set, else the platform's user data directory
    (``$XDG_DATA_HOME/retrowalk`` or ``~/.local/share/retrowalk`` on Linux).
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir  # lazy: only needed without the override

    return Path(user_data_dir("retrowalk", appauthor=False))
