"""The README's gradio_client examples, run as written against the app serving the committed models."""

import csv
import re
import time
from pathlib import Path

from gradio_client import Client

from .conftest import REPO, start_app

README_URL = "http://127.0.0.1:7860/"
MODEL_ENDPOINTS = {  # one request each: the app loads its models in the background after the page is up
    "/chat": ("Hi", "Penny", "Sheldon", 0.7, 0, 0.95, 10, 0, 2),
    "/classify": ("fine", "sentiment"),
    "/neighbours": ("penny", 3),
    "/translate": ("1 May 1999", "dates", 1),
}


def readme_api_examples() -> list[str]:
    section = (REPO / "README.md").read_text().split("\n## HTTP API\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def wait_for_models(url: str, timeout: float = 120) -> None:
    client, pending, deadline = Client(url, verbose=False), dict(MODEL_ENDPOINTS), time.monotonic() + timeout
    while pending:
        for endpoint, args in list(pending.items()):
            try:
                client.predict(*args, api_name=endpoint)
                del pending[endpoint]
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def test_the_readme_api_examples_run_as_written(tmp_path, monkeypatch, corpus_dir):
    examples = readme_api_examples()
    assert len(examples) >= 2 and README_URL in examples[0]
    assert {"/chat", "/classify", "/neighbours", "/translate", "/lab_summary"} <= set(
        re.findall(r'api_name="(/\w+)"', "".join(examples))
    )
    (tmp_path / "reviews.csv").write_text('text\n"A wonderful, moving film."\nA dull and clumsy mess.\n')
    (tmp_path / "my.txt").write_text("Sheldon: Bazinga! Penny, Penny, Penny.\nLeonard: Hi Penny.\n" * 200)
    monkeypatch.chdir(tmp_path)  # the examples name their files relative to where they run

    # The committed models, as a user would have them; Lab jobs capped at the 10 s the README trains for.
    with start_app(REPO / "models", corpus_dir, tmp_path, {"TEXTLAB_LAB_TIME_CAP": "10"}) as url:
        wait_for_models(url)
        names: dict = {}
        for example in examples:
            exec(compile(example.replace(README_URL, url), "README.md", "exec"), names)

    assert isinstance(names["reply"], str) and names["reply"].strip()
    assert names["partial"] and isinstance(names["partial"], str)
    assert names["label"]["label"] in ("positive", "negative")
    assert names["words"]  # the text in scored pieces
    with open(names["csv_path"], newline="", encoding="utf-8-sig") as f:  # BOM for Excel
        predictions = list(csv.DictReader(f))
    assert [row["text"] for row in predictions] == ["A wonderful, moving film.", "A dull and clumsy mess."]
    assert any(row[0] == "spock" for row in names["points"]["data"])
    assert names["output"] == "1999-05-03" and names["nbest"]["data"][0][1] == "1999-05-03"
    assert "71,297" in names["text"]  # the study notes' LSTM summary, reproduced
    assert Path(names["zip_path"]).suffix == ".zip" and "Done" in names["status"]
