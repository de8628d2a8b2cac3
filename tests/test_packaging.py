"""The Docker Space: the Dockerfile, the README's front matter and the requirements agree (no Docker engine runs
here, so this checks what can be checked without one)."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = (REPO / "Dockerfile").read_text()
README = (REPO / "README.md").read_text()


def front_matter() -> dict[str, str]:
    match = re.match(r"---\n(.*?)\n---\n", README, re.S)
    assert match, "the README starts with Space front matter between --- lines"
    return dict(line.split(": ", 1) for line in match.group(1).splitlines())


def test_front_matter_describes_a_docker_space_on_the_dockerfile_port():
    meta = front_matter()
    assert meta["sdk"] == "docker" and {"title", "emoji", "colorFrom", "colorTo"} <= set(meta)
    port = meta["app_port"]
    assert f"EXPOSE {port}" in DOCKERFILE and f"TEXTLAB_PORT={port}" in DOCKERFILE
    assert README.split("---\n", 2)[2].lstrip().startswith("# textlab")  # GitHub shows the README from here on


def test_dockerfile_is_a_non_root_python_311_image_running_app_py():
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    assert "--uid 1000" in DOCKERFILE and re.search(r"^USER user$", DOCKERFILE, re.M)
    assert DOCKERFILE.index("USER user") < DOCKERFILE.index("CMD")
    assert re.search(r'^CMD \["python", "app.py"\]$', DOCKERFILE, re.M)
    assert "TEXTLAB_HOST=0.0.0.0" in DOCKERFILE and "GRADIO_ANALYTICS_ENABLED=False" in DOCKERFILE


def test_dockerfile_installs_what_the_readme_installs():
    assert "pip install -r requirements.txt" in DOCKERFILE
    assert "pip install -r requirements.txt" in README
    torch = re.search(r"^torch==([\d.]+)$", (REPO / "requirements.txt").read_text(), re.M).group(1)
    assert f"torch=={torch}" in DOCKERFILE  # the CPU wheel it installs first is the version requirements pin


def test_dockerfile_fetches_every_dataset_the_app_may_retrain_from(monkeypatch, capsys):
    assert re.search(r"^RUN python -m textlab fetch$", DOCKERFILE, re.M)
    assert "apt-get update" in DOCKERFILE  # apt-get download needs the package lists
    from textlab import cli
    from textlab.data import catalog

    assert set(catalog.fetchers()) == {
        "movie reviews",
        "news sets and Friends transcripts",
        "The Office transcripts",
        "Bibles",
        "WordNet",
        "the pretrained sentence encoder",
    }
    fetched = []
    monkeypatch.setattr(catalog, "fetchers", lambda: {name: lambda n=name: fetched.append(n) for name in "ab"})
    assert cli.main(["fetch"]) == 0
    assert fetched == ["a", "b"] and "fetching a" in capsys.readouterr().err
