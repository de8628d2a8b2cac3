"""Writing files so that a crash never leaves one half-written, and checking them afterwards."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o644)  # mkstemp makes 0600; these files are meant to be read by others
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_DOWNLOADS: list[Path] = []  # this process's folder for files handed to users, made on first use
DOWNLOAD_MAX_AGE_S = 3600.0


def download_file(name: str, data: bytes) -> Path:
    """Write `data` as `name` in a fresh subfolder of this process's download folder, for the UI to hand out.

    Gradio copies a returned file into its own cache, so each copy here is kept an hour and then removed on a
    later call: the folder does not grow with every download.
    """
    if not _DOWNLOADS:
        _DOWNLOADS.append(Path(tempfile.mkdtemp(prefix="textlab-downloads-")))
    for old in _DOWNLOADS[0].iterdir():
        try:
            if time.time() - old.stat().st_mtime > DOWNLOAD_MAX_AGE_S:
                shutil.rmtree(old)
        except OSError:  # another request removed it first
            pass
    folder = Path(tempfile.mkdtemp(dir=_DOWNLOADS[0]))
    path = folder / name
    path.write_bytes(data)
    return path
