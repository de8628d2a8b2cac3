"""A person in Chromium: open the app, type to Sheldon, see the reply and why it was chosen, and use every tab."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import start_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    # In CI a missing browser is a failure, not a skip: scripts/test.sh installs it there.
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Debian Chromium is not installed (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def test_chat_reply_and_the_candidates_it_was_chosen_from(page, app_url):
    page.goto(app_url)
    page.get_by_role("tab", name="Sheldon chat").click()
    page.locator("#chat-status").get_by_text("Listener").wait_for(timeout=20_000)  # both cards are up
    box = page.locator("#chat-input textarea")
    box.fill("Knock knock, Penny.")
    box.press("Enter")
    page.wait_for_function(
        "() => { const b = document.querySelectorAll(\"[data-testid='bot']\"); "
        "return b.length && b[b.length - 1].innerText.trim().length > 0; }",
        timeout=30_000,
    )
    reply = page.locator("[data-testid='bot']").last.inner_text().strip()
    page.locator("#chat-why").get_by_text("Why this reply").click()
    table = page.locator("#chat-candidates")
    table.get_by_text("listener score").wait_for(timeout=10_000)
    grid = table.get_by_role("grid")
    expect(grid).not_to_have_attribute("aria-rowcount", "2", timeout=10_000)  # more than one candidate came
    assert 3 <= int(grid.get_attribute("aria-rowcount")) <= 9  # a header and the 8 drawn, repeats shown once
    first = grid.get_by_role("row").nth(1).inner_text()  # the first row after the header
    assert "yes" in first and reply[:20] in first  # the chosen candidate, first, is the reply on the page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-candidates.png"), full_page=True)


def test_chat_reply_appears_and_the_status_shows_the_model_card(page, app_url):
    page.goto(app_url)
    page.get_by_role("tab", name="Sheldon chat").click()
    box = page.locator("#chat-input textarea")
    box.fill("Hey guys.")
    box.press("Enter")
    page.locator("[data-testid='user']").filter(has_text="Hey guys.").wait_for(timeout=20_000)
    bot = page.locator("[data-testid='bot']").last
    bot.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => { const b = document.querySelectorAll(\"[data-testid='bot']\"); "
        "return b.length && b[b.length - 1].innerText.trim().length > 3; }",
        timeout=30_000,
    )
    assert len(bot.inner_text().strip()) > 3
    status = page.locator("#chat-status")
    status.get_by_text("bits/char").wait_for(timeout=10_000)  # the model card, kept current by the page's timer
    assert "LSTM" in status.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-tab.png"), full_page=True)


def test_page_shows_training_progress_then_the_model_card(page, models_dir, corpus_dir, tmp_path):
    """No checkpoint: the tab says it is training, then shows the card of the model it trained, without a reload."""
    shutil.copytree(models_dir, tmp_path / "models", ignore=shutil.ignore_patterns("chat"))
    with start_app(tmp_path / "models", corpus_dir, tmp_path, extra_env={"TEXTLAB_TRAIN_BUDGET": "3"}) as url:
        page.goto(url)
        status = page.locator("#chat-status")
        status.get_by_text("Not ready yet").or_(status.get_by_text("bits/char")).first.wait_for(timeout=20_000)
        status.get_by_text("bits/char").wait_for(timeout=90_000)
        assert "1 x 256 units" in status.inner_text()  # the quick configuration


def test_classify_a_review_and_see_the_label_and_highlighted_words(page, app_url):
    page.goto(app_url)
    page.get_by_role("tab", name="Classify").click()
    page.locator("#classify-status").get_by_text("accuracy").wait_for(timeout=20_000)  # the model card
    page.locator("#classify-input textarea").fill("The actors were brilliant and the story superb.")
    page.locator("#classify-button").click()
    label = page.locator("#classify-label [data-testid='label-output-value']")
    label.get_by_text("positive").wait_for(timeout=20_000)
    words = page.locator("#classify-words")
    words.get_by_text("superb").first.wait_for(timeout=10_000)
    assert "brilliant" in words.inner_text()
    page.screenshot(path=str(ARTIFACTS / "classify-tab.png"), full_page=True)

    page.get_by_role("radio", name="News topic (20 Newsgroups)").check()  # switch model: the card follows
    page.locator("#classify-status").get_by_text("20 Newsgroups").wait_for(timeout=10_000)
    page.locator("#classify-input textarea").fill("Nasa moved the shuttle into a higher orbit.")
    page.locator("#classify-button").click()
    label.get_by_text("sci.space").wait_for(timeout=20_000)


def test_look_up_a_word_and_see_neighbours_and_the_map(page, app_url):
    page.goto(app_url)
    page.get_by_role("tab", name="Neighbours").click()
    page.locator("#neighbours-word textarea, #neighbours-word input").first.fill("pizza")
    page.locator("#neighbours-button").click()
    table = page.locator("#neighbours-table")
    table.get_by_text("cheese").or_(table.get_by_text("burger")).first.wait_for(timeout=20_000)
    page.locator("#neighbours-map-button").click()
    page.locator("#neighbours-map svg text").filter(has_text="sheldon").wait_for(timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "neighbours-tab.png"), full_page=True)


def test_translate_a_date_and_see_the_n_best_list_and_the_attention_map(page, app_url):
    page.goto(app_url)
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
    page.get_by_role("radio", name="English -> Spanish").click()
    page.locator("#translate-input textarea").fill("the cat eats bread")
    page.locator("#translate-button").click()
    page.wait_for_function("el => el.value.includes('gato')", arg=output.element_handle(), timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "translate-tab.png"), full_page=True)


def test_lab_builds_a_seed_model_and_runs_an_experiment_with_live_curves(page, app_url):
    page.goto(app_url)
    page.get_by_role("tab", name="Lab").click()
    page.get_by_role("tab", name="Model builder").click()
    page.get_by_text("24,165,465").first.wait_for(timeout=10_000)  # the study notes' examples, named in the label
    page.locator("#lab-summary-button").click()
    page.locator("#lab-summary").get_by_test_id("cell-0-2").get_by_text("71168").wait_for(timeout=20_000)  # LSTM(128)
    page.get_by_role("tab", name="Experiments").click()
    epochs = page.locator("#lab-epochs input[type=number]")
    epochs.fill("3")
    epochs.press("Enter")
    page.locator("#lab-run").click()
    status = page.locator("#lab-status")
    status.get_by_text("Training").wait_for(timeout=90_000)
    page.screenshot(path=str(ARTIFACTS / "lab-tab-training.png"), full_page=True)
    status.get_by_text("Done").wait_for(timeout=180_000)
    results = page.locator("#lab-results")
    for cell in ("SimpleRNN", "LSTM", "GRU"):
        assert results.get_by_text(cell, exact=True).count() >= 1
    assert page.locator("#lab-loss-plot canvas, #lab-loss-plot svg").count() >= 1
    assert "epochs" in results.inner_text() and results.get_by_text("3", exact=True).count() >= 1
    page.screenshot(path=str(ARTIFACTS / "lab-tab.png"), full_page=True)


def test_classify_a_file_of_reviews_and_get_a_csv_of_predictions(page, app_url, tmp_path):
    reviews = tmp_path / "reviews.csv"
    reviews.write_text('text\n"Superb, brilliant and delightful."\n"An awful, dreadful and boring plot."\n')
    page.goto(app_url)
    page.get_by_role("tab", name="Classify").click()
    page.get_by_text("Batch: classify a file").click()
    page.locator("#classify-upload input[type=file]").set_input_files(str(reviews))
    page.locator("#classify-file-button").click()
    page.locator("#classify-result").get_by_text("predictions").wait_for(timeout=30_000)  # stem, then .csv
    preview = page.locator("#classify-preview")
    preview.get_by_text("negative").first.wait_for(timeout=10_000)
    assert preview.get_by_text("positive").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "classify-tab-file.png"), full_page=True)


def test_lab_preprocessing_then_training_your_own_model_and_writing_with_it(page, app_url, tmp_path):
    page.goto(app_url)
    page.get_by_role("tab", name="Lab").click()
    page.locator("#lab-vocab-button").click()  # the sample text is there to start with
    vocab = page.locator("#lab-vocab")
    vocab.get_by_text("<PAD/>").wait_for(timeout=20_000)
    assert vocab.get_by_text("<UKN/>").count() == 1 and vocab.get_by_text("sheldon").count() >= 1

    mine = tmp_path / "mine.txt"
    mine.write_text("Sheldon: Bazinga! Penny, Penny, Penny.\nLeonard: The babies will be smart.\n" * 100)
    page.get_by_role("tab", name="Train your own").click()
    page.locator("#lab-own-upload input[type=file]").set_input_files(str(mine))
    budget = page.locator("#lab-own-budget input[type=number]")
    budget.fill("5")
    budget.press("Enter")
    page.locator("#lab-own-train").click()
    page.locator("#lab-own-status").get_by_text("Done").wait_for(timeout=90_000)
    page.locator("#lab-own-file").get_by_text("my-char-model").wait_for(timeout=10_000)
    page.locator("#lab-own-generate").click()
    generated = page.locator("#lab-own-generated textarea")
    page.wait_for_function("el => el.value.length > 20", arg=generated.element_handle(), timeout=30_000)
    assert generated.input_value().startswith("The ")  # the prompt, then what the model wrote
    page.screenshot(path=str(ARTIFACTS / "lab-tab-own-model.png"), full_page=True)
