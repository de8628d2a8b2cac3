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


def test_chat_examples_are_messages_with_who_says_them_and_the_box_keeps_its_hint(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(app_url)
    page.get_by_role("tab", name="Sheldon chat").click()
    window = page.locator("#chat-window")
    example = window.get_by_text("Penny: Can I sit in your spot?")
    example.wait_for(timeout=20_000)  # in the empty chat, as a message, not in a table of settings
    assert page.get_by_role("table").filter(has_text="Temperature").count() == 0
    assert page.get_by_text("Dropdown", exact=True).count() == 0  # every box on the tab says what it is
    assert window.bounding_box()["height"] >= 600  # 70% of the window's height, not a fixed 420 px
    page.locator("#chat-status").get_by_text("Listener").wait_for(timeout=20_000)
    example.click()
    box = page.locator("#chat-input textarea")
    expect(box).to_have_value("Can I sit in your spot?", timeout=10_000)
    expect(page.locator("#chat-user input")).to_have_value("Penny", timeout=10_000)  # who says it
    box.press("Enter")
    page.locator("[data-testid='user']").filter(has_text="Can I sit in your spot?").wait_for(timeout=20_000)
    page.wait_for_function(
        "() => { const b = document.querySelectorAll(\"[data-testid='bot']\"); "
        "return b.length && b[b.length - 1].innerText.trim().length > 0; }",
        timeout=30_000,
    )
    expect(box).to_be_editable(timeout=30_000)  # the reply is done
    assert box.get_attribute("placeholder") == "Say something..."
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-example.png"), full_page=True)


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
    for band in ("strongly for", "for", "against", "strongly against"):  # the legend says what each colour is
        assert words.get_by_text(band, exact=True).count() >= 1
    expect(page.locator("#classify-notes")).to_be_hidden()  # nothing was cut or unknown: no empty notes box
    page.screenshot(path=str(ARTIFACTS / "classify-tab.png"), full_page=True)
    page.locator("#classify-input textarea").fill("The actors were brilliant \U0001f600")
    page.locator("#classify-button").click()
    expect(page.locator("#classify-notes")).to_contain_text("vocabulary", timeout=20_000)  # now there is a note

    page.get_by_role("radio", name="News topic (20 Newsgroups)").check()  # switch model: the card follows
    page.locator("#classify-status").get_by_text("20 Newsgroups").wait_for(timeout=10_000)
    page.locator("#classify-input textarea").fill("Nasa moved the shuttle into a higher orbit.")
    page.locator("#classify-button").click()
    label.get_by_text("sci.space").wait_for(timeout=20_000)


def test_look_up_a_word_and_see_neighbours_and_the_map(page, app_url):
    page.goto(app_url)
    page.get_by_role("tab", name="Neighbours").click()
    page.get_by_role("button", name="Similarity", exact=True).wait_for(timeout=20_000)
    similarity = page.locator("#neighbours-similarity input")
    assert similarity.count() == 0  # no "0" that looks like an answer before anything is asked
    page.get_by_role("button", name="Similarity", exact=True).click()
    expect(similarity).not_to_have_value("", timeout=20_000)
    assert -1 <= float(similarity.input_value()) <= 1
    page.locator("#neighbours-word textarea, #neighbours-word input").first.fill("pizza")
    page.locator("#neighbours-button").click()
    big, show = page.locator("#neighbours-table-neighbours"), page.locator("#neighbours-table-show-vectors")
    for table in (big, show):  # both sets of vectors answer, side by side
        table.get_by_text("cheese").or_(table.get_by_text("burger")).first.wait_for(timeout=20_000)
    assert abs(big.bounding_box()["y"] - show.bounding_box()["y"]) < 5
    page.locator("#neighbours-map-button").click()
    page.locator("#neighbours-map svg text").filter(has_text="sheldon").wait_for(timeout=20_000)
    assert page.locator("#neighbours-map svg [aria-label=legend] text").filter(has_text="group 1").count() == 1
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
