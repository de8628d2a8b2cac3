"""A person in Chromium on the Lab: the model builder, an experiment with live curves, the vanishing gradient's
reading, the preprocessing explorer and training a model of their own."""

import re

from .browsing import ARTIFACTS, BROWSER_MARKS

pytestmark = BROWSER_MARKS

# Every element of the examples within the examples' box, and the box within the window: nothing cut off.
FITS = """el => {
    const box = el.getBoundingClientRect();
    const inside = [...el.querySelectorAll('*')].every(e => e.getBoundingClientRect().right <= box.right + 1);
    return inside && box.right <= window.innerWidth;
}"""


def x_tick_labels(page, plot: str) -> list[str]:
    return page.locator(f"{plot} svg g[aria-label^='X-axis'] .role-axis-label text").all_text_contents()


def test_lab_builds_a_seed_model_and_runs_an_experiment_with_live_curves(page, app_url):
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.goto(app_url)
    page.get_by_role("tab", name="Lab").click()
    page.get_by_role("tab", name="Model builder").click()
    page.get_by_text("24,165,465").first.wait_for(timeout=10_000)  # the study notes' examples, one line each
    assert page.locator("#lab-examples").evaluate(FITS)
    page.locator("#lab-summary-button").click()
    cell = page.locator("#lab-summary").get_by_test_id("cell-0-2")
    cell.get_by_text("71,168").wait_for(timeout=20_000)  # LSTM(128), as the printed summary writes it
    page.screenshot(path=str(ARTIFACTS / "lab-tab-builder.png"), full_page=True)

    page.get_by_role("tab", name="Experiments").click()
    epochs = page.locator("#lab-epochs input[type=number]")
    epochs.fill("3")
    epochs.press("Enter")
    page.locator("#lab-run").click()
    status = page.locator("#lab-status")
    status.get_by_text("Training").wait_for(timeout=90_000)
    page.screenshot(path=str(ARTIFACTS / "lab-tab-training.png"), full_page=True)
    status.get_by_text("Done").wait_for(timeout=180_000)
    assert "Done. The table below" in status.inner_text() and "within 0.04" in status.inner_text()
    results = page.locator("#lab-results")
    for name in ("SimpleRNN", "LSTM", "GRU"):
        assert results.get_by_text(name, exact=True).count() >= 1
    assert "epochs" in results.inner_text() and results.get_by_text("3", exact=True).count() >= 1
    for plot in ("#lab-loss-plot", "#lab-second-plot"):
        page.locator(f"{plot} svg g[aria-label^='X-axis']").wait_for(timeout=10_000)
        assert x_tick_labels(page, plot) == ["1", "2", "3"]  # whole epochs
        legend = page.locator(f"{plot} svg .role-legend").all_text_contents()
        assert all(word in " ".join(legend) for word in ("SimpleRNN", "LSTM", "GRU", "training", "validation"))
    dashed = page.locator("#lab-loss-plot svg .role-mark path[stroke-dasharray='6,4']")
    assert dashed.count() >= 3  # a dashed validation line for each run
    page.screenshot(path=str(ARTIFACTS / "lab-tab.png"), full_page=True)

    page.get_by_text("Vanishing gradients: how much gradient reaches each time step").click()
    note = page.locator("#lab-vanish-note")
    note.get_by_text("How to read it").wait_for(timeout=10_000)
    assert "dashed line is the freshly initialised cell" in note.inner_text()
    versions = [line for line in console if re.search("vega", line, re.IGNORECASE)]
    assert not versions, versions  # gr.LinePlot logged "The input spec uses Vega-Lite v5.17.0, ..." at every draw


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
    status = page.locator("#lab-own-status")
    status.get_by_text("Done").wait_for(timeout=90_000)
    assert re.match(r"Done\. [\d,]+ characters, \d+ distinct", status.inner_text())  # said once
    page.locator("#lab-own-file").get_by_text("my-char-model").wait_for(timeout=10_000)
    assert all(re.fullmatch(r"[\d,]+", label) for label in x_tick_labels(page, "#lab-own-plot"))
    page.locator("#lab-own-generate").click()
    generated = page.locator("#lab-own-generated textarea")
    page.wait_for_function("el => el.value.length > 20", arg=generated.element_handle(), timeout=30_000)
    assert generated.input_value().startswith("The ")  # the prompt, then what the model wrote
    page.screenshot(path=str(ARTIFACTS / "lab-tab-own-model.png"), full_page=True)

    # Look inside reads the model just trained, in this session
    page.get_by_role("tab", name="Look inside").click()
    page.locator("#inspect-model").get_by_text("your model").click()
    page.locator("#inspect-text textarea").fill("Penny: Bazinga!\nLeonard: Penny.\n")
    page.locator("#inspect-read").click()
    page.locator("#inspect-surprisal span[data-k='3']").wait_for(timeout=20_000)
    own_mean = float(page.locator("#inspect-mean input").input_value())
    page.locator("#inspect-model").get_by_text("the chat model").click()
    page.locator("#inspect-read").click()
    page.wait_for_function(
        "m => document.querySelector('#inspect-mean input').value != m", arg=str(own_mean), timeout=20_000
    )
    assert 0 < own_mean < 8  # its own figure, not the chat model's
