"""A person in Chromium on the Translate tab: a date, its n-best list and attention map, then English -> Spanish."""

from .browsing import ARTIFACTS, BROWSER_MARKS

pytestmark = BROWSER_MARKS


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
