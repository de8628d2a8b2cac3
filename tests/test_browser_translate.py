"""A person in Chromium on the Translate tab: a date, its n-best list and attention map, a date without a year, then
a long English sentence into Spanish with every column of the n-best list in view."""

import shutil
from pathlib import Path

import pytest

from .browsing import ARTIFACTS, BROWSER_MARKS
from .conftest import start_app

pytestmark = BROWSER_MARKS

COMMITTED_EN_ES = Path(__file__).resolve().parents[1] / "models" / "translate-en-es"
LONG_ENGLISH = "And the LORD said unto Moses, Go in unto Pharaoh, and tell him, Thus saith the LORD God of the Hebrews."


@pytest.fixture(scope="module")
def long_spanish_url(models_dir, corpus_dir, tmp_path_factory):
    """The app with the committed English -> Spanish model (the tiny one writes only a few words) and the tiny rest."""
    if not (COMMITTED_EN_ES / "model.safetensors").exists():
        pytest.skip(f"no committed model in {COMMITTED_EN_ES}")
    folder = tmp_path_factory.mktemp("models-en-es")
    shutil.copytree(models_dir, folder, dirs_exist_ok=True)
    shutil.rmtree(folder / "translate-en-es")
    shutil.copytree(COMMITTED_EN_ES, folder / "translate-en-es")
    with start_app(folder, corpus_dir, tmp_path_factory.mktemp("app-en-es")) as url:
        yield url


def inside(inner: dict, outer: dict) -> bool:
    return (
        outer["x"] - 1 <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and outer["y"] - 1 <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def test_translate_a_date_and_see_the_n_best_list_and_the_attention_map(page, long_spanish_url):
    page.goto(long_spanish_url)
    page.get_by_role("tab", name="Translate").click()
    page.locator("#translate-input textarea").fill("Monday, May 3rd, 1999")
    page.locator("#translate-button").click()
    output = page.locator("#translate-output textarea")
    page.wait_for_function("el => /^\\d{4}-\\d\\d-\\d\\d$/.test(el.value)", arg=output.element_handle(), timeout=20_000)
    heatmap = page.locator("#translate-attention svg")
    heatmap.wait_for(timeout=20_000)
    assert heatmap.locator("rect").count() == len("monday, may 3rd, 1999") * (len(output.input_value()) + 1)
    assert page.locator("#translate-nbest").get_by_text(output.input_value()).count() >= 1
    assert "Decoded in" in page.locator("#translate-notes").inner_text()
    # the map starts just under its caption: no band of blank page between them
    caption = page.get_by_text("where the decoder looked").bounding_box()
    first_label = heatmap.locator("text").first.bounding_box()
    assert first_label["y"] - (caption["y"] + caption["height"]) < 40
    page.screenshot(path=str(ARTIFACTS / "translate-date.png"), full_page=True)

    page.locator("#translate-input textarea").fill("August 29")
    page.locator("#translate-button").click()
    page.get_by_text("has no year").first.wait_for(timeout=20_000)

    page.get_by_role("radio", name="English -> Spanish").click()
    page.locator("#translate-input textarea").fill(LONG_ENGLISH)
    page.locator("#translate-button").click()
    page.wait_for_function("el => el.value.includes('Moisés')", arg=output.element_handle(), timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "translate-tab.png"), full_page=True)
    table = page.locator("#translate-nbest")
    visible = table.bounding_box()
    headers = table.locator("thead th")
    assert headers.last.inner_text().strip() == "probability"
    assert inside(headers.last.bounding_box(), visible)
    assert inside(table.locator("tbody tr").first.locator("td").last.bounding_box(), visible)
