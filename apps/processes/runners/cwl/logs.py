"""The run log of a CWL run, the tail of what its tools wrote, and its scratch folder."""

import logging
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)

TAIL_BYTES = 64 * 1024


def _tail_lines(path: Path, count: int) -> list[str]:
    if not path.exists():
        return []
    with open(path, "rb") as stream:
        stream.seek(max(0, path.stat().st_size - TAIL_BYTES))
        text = stream.read().decode(errors="replace")
    return [line for line in text.splitlines() if line.strip()][-count:]


def _remove_folder(folder: Path) -> None:
    if not folder.exists():
        return
    try:
        shutil.rmtree(folder)
    except OSError:
        logger.warning("Could not remove the CWL scratch folder %s", folder, exc_info=True)
