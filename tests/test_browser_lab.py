"""A person in Chromium on the Lab: the model builder, an experiment with live curves, the preprocessing explorer and
training a model of their own."""

from .browsing import ARTIFACTS, BROWSER_MARKS

pytestmark = BROWSER_MARKS


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
