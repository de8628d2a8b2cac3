"""What the running app serves: only files it wrote for a user, never the code, the checkpoints, the data cache or
any other file on the server, whether asked for by URL or smuggled in as an "uploaded" file path."""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from textlab.ui.server import blocked_paths

REPO = Path(__file__).resolve().parents[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def call(app_url: str, endpoint: str, data: list) -> str:
    """A raw queue call, as any HTTP client could make it (gradio_client would upload the file itself)."""
    request = urllib.request.Request(
        f"{app_url}gradio_api/call/{endpoint}",
        data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        event = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{app_url}gradio_api/call/{endpoint}/{event}", timeout=60) as response:
        return response.read().decode()


@pytest.fixture(scope="module")
def server_files(models_dir) -> dict[str, Path]:
    card = next(models_dir.glob("*/card.json"))
    return {"passwd": Path("/etc/passwd"), "code": REPO / "app.py", "checkpoint": card, "readme": REPO / "README.md"}


@pytest.mark.parametrize("name", ["passwd", "code", "checkpoint", "readme"])
def test_no_server_file_is_served_by_url(app_url, server_files, name):
    path = server_files[name]
    for asked in (str(path), f"../../../..{path}"):
        status, body = get(f"{app_url}gradio_api/file={asked}")
        assert status in (403, 404), (asked, status)
        assert path.read_bytes()[:200] not in body


@pytest.mark.parametrize(
    "endpoint, data",
    [
        ("classify_file", ["FILE", "sentiment"]),
        ("lab_train_own", ["FILE", 5]),
        ("lab_vocabulary", ["", "FILE"]),
    ],
)
@pytest.mark.parametrize("name", ["passwd", "readme"])
def test_a_server_path_posing_as_an_upload_is_refused(app_url, server_files, endpoint, data, name):
    path = server_files[name]
    fake = {"path": str(path), "meta": {"_type": "gradio.FileData"}}
    answer = call(app_url, endpoint, [fake if x == "FILE" else x for x in data])
    assert answer.startswith("event: error"), answer[:300]
    first_line = path.read_text().splitlines()[0]
    assert first_line not in answer and str(path) not in answer


def test_files_the_app_writes_are_still_served(app_url, tmp_path):
    texts = tmp_path / "reviews.csv"
    texts.write_text("text\nA wonderful and moving film.\n")
    result = Client(app_url, verbose=False).predict(handle_file(str(texts)), "sentiment", api_name="/classify_file")
    written = Path(result[0] if isinstance(result, tuple | list) else result)  # downloaded from the app by URL
    assert written.read_text(encoding="utf-8-sig").splitlines()[1].startswith("A wonderful and moving film.,")


def test_the_code_checkpoints_and_data_cache_are_blocked():
    blocked = [Path(p) for p in blocked_paths()]
    assert REPO in blocked
    assert all(p.is_absolute() for p in blocked)


def test_an_upload_folder_inside_the_repository_is_left_open(monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(REPO / "gradio-uploads"))
    assert str(REPO) not in blocked_paths()
