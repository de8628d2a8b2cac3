"""Files: written so that a crash never leaves one half-written, checked afterwards, read as text with one size
policy, and handed out for download."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from textlab import settings


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


MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # any file a person uploads to the app (the server refuses larger ones first)
MAX_LOCAL_FILE_BYTES = 200 * 1024 * 1024  # files the command line reads


class TextFileError(ValueError):
    """A file that cannot be read as text; the message says what to change."""


def decode_text(data: bytes, limit: int = MAX_UPLOAD_BYTES) -> str:
    """The text of a file's bytes: at most `limit` bytes, UTF-8 (a byte-order mark is dropped) or UTF-16 with its
    byte-order mark. Raises TextFileError saying what to change."""
    if len(data) > limit:
        raise TextFileError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB.")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in data[:8192]:  # UTF-16 of Latin text holds NULs
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TextFileError("The file is not valid UTF-16 text; save it as UTF-8.") from None
    if b"\x00" in data[:8192]:
        raise TextFileError("This looks like a binary file; upload plain text (save it as UTF-8).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise TextFileError(f"The file is not UTF-8 text (byte {e.start} cannot be read); save it as UTF-8.") from None


def read_text_file(path: Path, limit: int = MAX_LOCAL_FILE_BYTES) -> str:
    """The text of the file at `path` (see `decode_text`); raises TextFileError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise TextFileError(f"{path} is not a file")
    if path.stat().st_size > limit:
        raise TextFileError(f"{path} is larger than {limit / 2**20:.0f} MB")
    try:
        return decode_text(path.read_bytes(), limit)
    except TextFileError as e:
        raise TextFileError(f"{path}: {e}") from None


_DOWNLOADS: list[Path] = []  # this process's folder for files handed to users, made on first use


def download_file(name: str, data: bytes) -> Path:
    """Write `data` as `name` in a fresh subfolder of this process's download folder, for the UI to hand out.

    Gradio copies a returned file into its own cache, so each copy here is kept `TEXTLAB_FILE_MAX_AGE` seconds (an
    hour) and then removed on a later call: the folder does not grow with every download.
    """
    max_age = settings.file_max_age_s()
    if not _DOWNLOADS:
        _DOWNLOADS.append(Path(tempfile.mkdtemp(prefix="textlab-downloads-")))
    for old in _DOWNLOADS[0].iterdir():
        try:
            if time.time() - old.stat().st_mtime > max_age:
                shutil.rmtree(old)
        except OSError:  # another request removed it first
            pass
    folder = Path(tempfile.mkdtemp(dir=_DOWNLOADS[0]))
    path = folder / name
    path.write_bytes(data)
    return path
