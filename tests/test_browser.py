"""A person in Chromium: open the app, type to Sheldon, see the reply and why it was chosen, classify, and look up
neighbours. The Lab and Translate tabs have their own files."""

import shutil

from playwright.sync_api import expect

from .browsing import ARTIFACTS, BROWSER_MARKS
from .conftest import start_app

pytestmark = BROWSER_MARKS


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
