"""In a real browser: browse the public catalog by category, search it, open an entry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.data.catalog import public_integration

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def catalog(db):
    public_integration("Alpha Stats", categories=("Analytics",), description="Counts visits.")
    public_integration("Beta Mail", categories=("Email Marketing",))
    public_integration(
        "Gamma Video",
        categories=("Video", "Analytics"),
        public_since=timezone.now() - timedelta(days=3),
    )


def test_browse_filter_search_and_open_an_entry(page, catalog):
    errors = []

    def on_console(message):  # logos live on an unreachable example CDN
        if message.type == "error" and "Failed to load resource" not in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    # the grid
    page.goto("/catalog/")
    tiles = page.locator(".tiles .tile-name")
    assert tiles.all_inner_texts() == ["Alpha Stats", "Beta Mail", "Gamma Video"]
    # filter by category
    page.click("nav[aria-label=Categories] a:has-text('Analytics')")
    page.wait_for_url("**/catalog/?category=analytics")
    assert tiles.all_inner_texts() == ["Alpha Stats", "Gamma Video"]
    assert page.locator("a[aria-current=true]").inner_text() == "Analytics"
    # search within the category, with the keyboard
    page.fill("#catalog-q", "gam")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=gam**")
    assert tiles.all_inner_texts() == ["Gamma Video"]
    # open the entry
    page.click("a.tile:has-text('Gamma Video')")
    page.wait_for_url("**/catalog/gamma-video/")
    assert page.inner_text("#listing-title") == "Gamma Video"
    href = page.get_attribute("a.add-to-workspace", "href")
    assert href.endswith("/goto-my-workspace/destinations/catalog/gamma-video")
    assert errors == []


def test_new_and_noteworthy_lists_recent_entries(page, catalog):
    page.goto("/catalog/new/")
    assert page.locator(".tiles .tile-name").all_inner_texts() == ["Gamma Video"]
    assert "Public since" in page.inner_text(".tiles")


def test_tab_reaches_search_and_categories(page, catalog):
    page.goto("/catalog/")
    focused = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent")
        )
    assert "catalog-q" in focused
    assert "Analytics" in focused


def test_unreachable_cdn_images_fall_back_in_place(page, catalog):
    """Imported entries link their mark and logo on a CDN; when it doesn't answer, the tile and
    the entry show the initials and the name in the same fixed boxes (no broken-image icons)."""
    page.route("https://cdn.example.com/**", lambda route: route.abort())
    page.goto("/catalog/")
    box = page.locator(".tile:has-text('Alpha Stats') .mark-box")
    # (wait_for_function would evaluate a string, which the page's CSP forbids)
    page.locator(".tiles .mark-box.img-failed").nth(2).wait_for()
    assert box.locator(".mark-initials").inner_text() == "AS"
    assert box.locator(".mark-initials").is_visible()
    assert not box.locator("img").is_visible()
    size = box.bounding_box()
    assert (round(size["width"]), round(size["height"])) == (48, 48)

    page.goto("/catalog/alpha-stats/")
    page.wait_for_selector(".listing-logo.img-failed")
    logo_row = page.locator(".listing-logo").bounding_box()
    assert round(logo_row["height"]) == 48
    assert page.locator(".listing-logo .logo-fallback").inner_text() == "Alpha Stats"
    assert page.locator(".listing-head .mark-initials").is_visible()
    page.unroute_all(behavior="ignoreErrors")
