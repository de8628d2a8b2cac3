"""A person in Chromium on the Look inside tab: paste a transcript, read it, hover a character to see the model's
five guesses, colour the text by one unit, find the units that track upper-case letters and those for a span they
mark, and see what drives the last character, then make the translator start a date with 17 and see its attention."""

import time

from gradio_client import Client

from .browsing import ARTIFACTS, BROWSER_MARKS

pytestmark = BROWSER_MARKS

TEXT = "Penny: Hey guys.\nSheldon: Bazinga! Hi Penny.\nLeonard: Sheldon, please.\n"
TIP = "(el) => getComputedStyle(el, '::after').content"


def wait_for_models(url: str, timeout: float = 90) -> None:
    """The app loads its models in the background once the page is up: wait until the chat model and the dates
    translator answer."""
    client, deadline = Client(url, verbose=False), time.monotonic() + timeout
    for endpoint, args in (("/inspect_surprisal", (TEXT,)), ("/inspect_beam_tree", ("3 May 1999", "dates", 1))):
        while True:
            try:
                client.predict(*args, api_name=endpoint)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def test_read_hover_colour_a_unit_find_units_and_drivers(page, app_url):
    wait_for_models(app_url)
    page.goto(app_url)
    page.get_by_role("tab", name="Look inside").click()
    page.locator("#inspect-text textarea").fill(TEXT)
    page.locator("#inspect-read").click()
    first = page.locator("#inspect-surprisal span[data-k='7']")  # the "H" of "Hey"
    first.wait_for(timeout=20_000)
    assert page.locator("#inspect-surprisal span[data-k]").count() == len(TEXT)
    assert first.evaluate(TIP) == "none"  # no list until the pointer is on it
    first.hover()
    shown = first.evaluate(TIP)
    assert "H:" in shown and "top 5" in shown and shown.count("\\a") + shown.count("\n") >= 6
    assert "bits per character" in page.locator("#inspect-notes").inner_text()
    page.screenshot(path=str(ARTIFACTS / "inspect-hover.png"), full_page=True)

    page.locator("#inspect-layer input").fill("1")
    page.locator("#inspect-unit input").fill("3")
    page.locator("#inspect-show-unit").click()
    spans = page.locator("#inspect-unit-strip span[data-k]")
    spans.first.wait_for(timeout=20_000)
    assert spans.count() == len(TEXT)
    colours = {spans.nth(k).evaluate("el => getComputedStyle(el).backgroundColor") for k in range(0, len(TEXT), 5)}
    assert len(colours) > 3  # the unit's value changes over the text, and so does its colour
    assert page.locator("#inspect-unit-plot svg polyline").count() == 1
    page.locator("#inspect-unit-strip").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "inspect-unit.png"), full_page=True)

    page.locator("#inspect-property input").click()
    page.get_by_role("option", name="upper_case: an upper-case letter").click()
    page.locator("#inspect-find").click()
    page.locator("#inspect-best-strips h4").first.wait_for(timeout=20_000)
    assert page.locator("#inspect-best-strips h4").count() == 3
    assert page.locator("#inspect-best-strips span.tl-p").count() == 3 * sum(c.isupper() for c in TEXT)
    page.locator("#inspect-best-strips").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "inspect-finder.png"), full_page=True)

    page.locator("#inspect-span textarea").fill("Bazinga!")
    page.locator("#inspect-find-span").click()
    page.get_by_text("Underlined: the span, characters").wait_for(timeout=20_000)
    assert page.locator("#inspect-span-strips h4").count() == 3
    assert page.locator("#inspect-span-strips span.tl-p").count() == 3 * len("Bazinga!")
    underlined = page.locator("#inspect-span-strips span.tl-p").all_inner_texts()[: len("Bazinga!")]
    assert "".join(underlined) == "Bazinga!"
    assert "auc" in page.locator("#inspect-span-best").inner_text()  # the ranked table is filled
    page.locator("#inspect-span-strips").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "inspect-span.png"), full_page=True)

    page.locator("#inspect-drive").click()
    page.locator("#inspect-drive-strip span.tl-t").wait_for(timeout=20_000)
    assert "Predicting" in page.locator("#inspect-drive-notes").inner_text()
    page.screenshot(path=str(ARTIFACTS / "inspect-drivers.png"), full_page=True)

    page.locator("#whatif-input textarea").fill("3 May 1999")
    page.locator("#whatif-forced textarea").fill("17")
    page.locator("#whatif-button").click()
    page.get_by_text("Left alone").wait_for(timeout=20_000)
    assert "Made to start with '17'" in page.locator("#whatif-notes").inner_text()
    page.locator("#whatif-attention svg[aria-label='attention map']").wait_for(timeout=20_000)
    labels = page.locator("#whatif-attention svg text[text-anchor='end']")  # SVG text has no innerText
    rows = labels.evaluate_all("els => els.map(el => el.textContent)")
    assert rows[:2] == ["1", "7"]  # the forced tokens head the map's rows
    page.locator("#whatif-attention").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "inspect-what-if.png"), full_page=False)

    page.locator("#beam-tree-button").click()
    page.locator("#beam-tree svg[aria-label='beam tree']").wait_for(timeout=20_000)
    assert page.locator("#beam-tree svg[aria-label='beam tree'] line").count() > 3
    page.locator("#beam-tree").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "inspect-beam-tree.png"), full_page=False)
