"""The explorer in a real browser (Chromium from Debian, driven by Playwright): the headline story from a search to
each quote in its source, the Arabic report right to left beside its translation, the proposition's timeline in date
order, the citation chain, an actor, reviews sent with If-Match, problems shown from the API's problem details, phone
width, keyboard use, and an axe-core scan of every view."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import DESKTOP, LiveServer, Watch, axe_violations, open_view, screenshot, screenshot_path, wait_view

HEADLINE = "sisi-planned-40000-missiles-for-russia"
NOT_SEEN = "us-representative-saw-no-missile-deliveries"
NOT_SEEN_QUOTE = "We have not seen this (deliveries of missiles from Egypt to the Russian Federation – ed.) happen, – the US representative noted."
BUNA = "buna-times-2023-sisi-missiles-for-russia"
ARABIC_REPORT = "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"
ARABIC_CLAIM = "ar-sisi-planned-40000-missiles-for-russia"
STORY = "arms-flow--egypt--russia--missiles"
SISI = "abdel-fattah-el-sisi"


def api(server: LiveServer, path: str) -> dict:
    response = httpx.get(server.url + path)
    assert response.status_code == 200, response.text
    return response.json()


def in_view(page: Page, inner: str, outer: str) -> bool:
    """Whether the element `inner` lies within the visible part of `outer` (its scrolling box)."""
    return page.evaluate(
        """([inner, outer]) => {
            const a = document.querySelector(inner).getBoundingClientRect();
            const b = document.querySelector(outer).getBoundingClientRect();
            return a.top >= b.top && a.bottom <= b.bottom;
        }""",
        [inner, outer],
    )


def test_headline_claim_from_a_search_to_the_not_seen_quote_in_its_source(page: Page, live_server: LiveServer) -> None:
    open_view(page, "/")
    page.get_by_role("search").first.get_by_role("searchbox").fill("40,000 missiles")
    page.get_by_role("search").first.get_by_role("button", name="Search").click()
    wait_view(page, "/search?q=40%2C000%20missiles")
    hit = page.locator(f"ol.hits li[data-id='{HEADLINE}']")
    expect(hit).to_have_attribute("data-kind", "claim")
    hit.get_by_role("link").click()
    wait_view(page, f"/claims/{HEADLINE}")

    claim = api(live_server, f"/v1/claims/{HEADLINE}")
    expect(page.locator("h1")).to_have_text(claim["statement"])
    expect(page.locator("#evidence-1 .source-text mark")).to_have_text(claim["evidence"][0]["quote"])

    # Its contradiction with the US representative's words: follow it from the opposing side.
    contradiction = page.locator("li.relation[data-relation='missile-plan-vs-no-deliveries-seen']")
    expect(contradiction.locator("h3")).to_have_text("non confirmation missile-plan-vs-no-deliveries-seen")
    contradiction.locator(f"ul.opposing li[data-claim='{NOT_SEEN}'] a").first.click()
    wait_view(page, f"/claims/{NOT_SEEN}")

    source = api(live_server, f"/v1/sources/{BUNA}")
    evidence = api(live_server, f"/v1/claims/{NOT_SEEN}")["evidence"][0]
    assert (evidence["start"], evidence["end"], evidence["quote"]) == (840, 968, NOT_SEEN_QUOTE)
    box = page.locator("#evidence-1 .source-text")
    expect(box).to_have_text(source["text"])  # the whole source text, with the quote inside it
    expect(box.locator("mark")).to_have_text(NOT_SEEN_QUOTE)
    expect(box).to_have_attribute("lang", "en")
    # The text before the mark is exactly the first 840 code points of the source: the offsets were honoured.
    before = page.evaluate("() => { const m = document.querySelector('#evidence-1 .source-text mark'); return m.previousSibling.textContent; }")
    assert before == source["text"][:840]
    assert in_view(page, "#evidence-1 .source-text mark", "#evidence-1 .source-text")  # scrolled to it
    expect(page.locator("#evidence-1 .context")).to_have_text("…" + evidence["prefix"] + NOT_SEEN_QUOTE + evidence["suffix"] + "…")
    screenshot(page, "claim")


def test_arabic_report_quote_is_right_to_left_beside_its_translation(page: Page, live_server: LiveServer) -> None:
    open_view(page, f"/sources/{ARABIC_REPORT}")
    text = page.locator(".source-text")
    expect(text).to_have_attribute("lang", "ar")
    expect(text).to_have_attribute("dir", "rtl")
    page.locator(f".claim-item[data-claim='{ARABIC_CLAIM}'] a").first.click()
    wait_view(page, f"/claims/{ARABIC_CLAIM}")

    evidence = api(live_server, f"/v1/claims/{ARABIC_CLAIM}")["evidence"][0]
    mark = page.locator("#evidence-1 .source-text mark")
    expect(mark).to_have_text(evidence["quote"])
    assert mark.evaluate("m => [m.closest('[lang]').lang, getComputedStyle(m).direction, m.closest('[dir]').dir]") == ["ar", "rtl", "rtl"]
    assert in_view(page, "#evidence-1 .source-text mark", "#evidence-1 .source-text")
    translation = page.locator("#evidence-1 .translation")
    expect(translation.locator("blockquote")).to_have_text(evidence["translation"])
    assert translation.evaluate("t => [t.lang, getComputedStyle(t).direction]") == ["en", "ltr"]
    # Beside it: the original and the translation side by side, on one row, at desktop width.
    original = page.locator("#evidence-1 .original").bounding_box()
    beside = translation.bounding_box()
    assert original is not None and beside is not None
    assert beside["x"] >= original["x"] + original["width"] and abs(beside["y"] - original["y"]) < 2
    screenshot(page, "claim-arabic")


def test_proposition_timeline_places_its_claims_in_date_order(page: Page, live_server: LiveServer) -> None:
    story = api(live_server, f"/v1/propositions/{STORY}")
    open_view(page, f"/propositions/{STORY}")
    expect(page.locator(".status-line li")).to_have_text(story["status_line"].split(" → "))
    rows = page.locator(".timeline-row")
    assert [c["id"] for c in story["claims"]] == [
        "sisi-ordered-subordinates-to-make-missiles-for-moscow", "sisi-planned-missile-shipment-to-russia", NOT_SEEN,
        HEADLINE, "ar-egypt-dropped-missile-plan", ARABIC_CLAIM,
    ]
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.claim)") == [c["id"] for c in story["claims"]]
    bars = rows.evaluate_all(
        "rows => rows.map(r => { const b = r.querySelector('rect.bar'); return [r.dataset.from, +b.getAttribute('x'), +b.getAttribute('width')]; })"
    )
    starts = [x for _, x, _ in bars]
    assert [d for d, _, _ in bars] == sorted(d for d, _, _ in bars)  # in date order
    assert starts == sorted(starts)  # placed left to right
    # A month is a span: February 2023 (28 days) against the year 2023 (365 days) the publication-dated claims cover.
    february = bars[3][2]
    year = bars[0][2]
    assert bars[3][0] == "2023-02-01" and bars[0][0] == "2023-01-01"
    assert february / year == pytest.approx(28 / 365, rel=0.02)
    # Contradictions drawn between the claims: the plan (side a) against the US representative's "not seen" (side b).
    column = page.locator(".contradiction-column[data-contradiction='missile-plan-vs-no-deliveries-seen']")
    expect(column.locator("circle.side-a")).to_have_count(4)
    expect(column.locator("circle.side-b")).to_have_count(1)
    expect(page.locator(".contradiction-column")).to_have_count(2)
    # Coloured by modality and polarity: planned, not observed (actual, negated), abandoned.
    tones = rows.evaluate_all("rows => rows.map(r => r.querySelector('rect.bar').classList[1])")
    assert tones == ["tone-planned", "tone-planned", "tone-actual-negated", "tone-planned", "tone-abandoned", "tone-planned"]
    screenshot(page, "proposition")
    # The README's picture (docs/explorer-timeline.png): the story and its timeline, down to the legend.
    top = page.locator("article.proposition .kicker").bounding_box()
    bottom = page.locator("ul.legend").bounding_box()
    assert top is not None and bottom is not None
    clip = {"x": 0, "y": top["y"] - 12, "width": DESKTOP["width"], "height": bottom["y"] + bottom["height"] + 12 - (top["y"] - 12)}
    page.screenshot(path=screenshot_path("proposition-timeline"), clip=clip, full_page=True)


def test_citation_chain_of_a_source_as_a_graph(page: Page) -> None:
    open_view(page, f"/sources/{BUNA}")
    nodes = page.locator(".citation-graph .node")
    assert sorted(nodes.evaluate_all("ns => ns.map(n => n.dataset.source)")) == sorted([
        BUNA, "racurs-2023-report-on-egypt-missiles-for-russia", "washington-post-2023-egypt-missiles-report",
        "us-intelligence-document-2023-02-17", "discord-leak-2023",
    ])
    edges = page.locator(".citation-graph .edge").evaluate_all("es => es.map(e => [e.dataset.from, e.dataset.to, e.classList[1]])")
    assert sorted(edges) == sorted([
        [BUNA, "racurs-2023-report-on-egypt-missiles-for-russia", "edge-cites"],
        [BUNA, "washington-post-2023-egypt-missiles-report", "edge-cites"],
        ["racurs-2023-report-on-egypt-missiles-for-russia", "washington-post-2023-egypt-missiles-report", "edge-cites"],
        ["washington-post-2023-egypt-missiles-report", "us-intelligence-document-2023-02-17", "edge-cites"],
        ["us-intelligence-document-2023-02-17", "discord-leak-2023", "edge-part-of"],
    ])
    # Buna Times → Racurs → Washington Post → leaked document, left to right.
    order = [BUNA, "racurs-2023-report-on-egypt-missiles-for-russia", "washington-post-2023-egypt-missiles-report", "us-intelligence-document-2023-02-17"]
    xs = [float(page.locator(f".citation-graph .node[data-source='{s}'] rect").get_attribute("x") or "nan") for s in order]
    assert xs == sorted(xs) and len(set(xs)) == 4
    page.locator(".citation-graph .node[data-source='washington-post-2023-egypt-missiles-report']").click()
    wait_view(page, "/sources/washington-post-2023-egypt-missiles-report")
    expect(page.locator("h1")).to_have_text(
        "Washington Post report on leaked US intelligence documents saying Egypt's president planned to produce 40,000 missiles for Russia"
        " and keep it secret"
    )
    open_view(page, f"/sources/{BUNA}")
    screenshot(page, "source")


def test_actor_with_names_in_every_language_roles_and_claims_by_role(page: Page, live_server: LiveServer) -> None:
    actor = api(live_server, f"/v1/actors/{SISI}")
    open_view(page, f"/actors/{SISI}")
    expect(page.locator("table.names tbody th")).to_have_text(["English (en)", "Arabic (ar)"])
    arabic = page.locator("table.names tbody tr").nth(1).locator(".name")
    expect(arabic).to_have_text(["عبدالفتاح السيسي", "السيسي"])
    assert arabic.evaluate_all("ns => ns.map(n => [n.lang, n.dir])") == [["ar", "rtl"], ["ar", "rtl"]]
    expect(page.locator("ol.roles > li")).to_have_count(len(actor["roles"]))
    sections = page.locator("section.by-role")
    expect(sections.locator("h3")).to_have_text(["As subject (12)", "As object (3)"])
    expect(sections.nth(0).locator(".claim-item")).to_have_count(12)
    screenshot(page, "actor")


def test_review_sends_patch_with_if_match_and_shows_problems(page: Page, live_server: LiveServer) -> None:
    key = live_server.write_key()
    relation = "discord-posting-february-march-vs-april"
    etag = httpx.get(f"{live_server.url}/v1/contradictions/{relation}").headers["etag"]
    patches: list[dict[str, str | None]] = []
    page.on("request", lambda r: patches.append({"url": r.url, **r.headers}) if r.method == "PATCH" else None)

    open_view(page, f"/contradictions/{relation}")
    expect(page.locator(".review")).to_contain_text("enter a key with the write scope")
    # A wrong key: the API's 401 problem is shown, title and detail.
    page.locator("#key-panel summary").click()
    page.locator("#key-input").fill("ck_nope.nope")
    page.get_by_role("button", name="Use this key").click()
    wait_view(page, f"/contradictions/{relation}")
    page.get_by_role("button", name="Confirm").click()
    problem = page.locator(".review .problem")
    expect(problem.locator(".problem-title")).to_have_text("Unauthorized (401)")
    # The right key: confirmed, with If-Match set to the ETag the page read.
    page.locator("#key-panel summary").click()
    page.locator("#key-input").fill(key)
    page.get_by_role("button", name="Use this key").click()
    wait_view(page, f"/contradictions/{relation}")
    expect(page.locator("#key-state")).to_have_text("set for this tab")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".relation-meta .badge")).to_have_text("confirmed")
    assert [(p["url"], p.get("if-match"), p.get("authorization")) for p in patches][-1] == (
        f"{live_server.url}/v1/contradictions/{relation}", etag, f"Bearer {key}")
    assert httpx.get(f"{live_server.url}/v1/contradictions/{relation}").json()["status"] == "confirmed"
    assert page.evaluate("sessionStorage.getItem('claims-explorer:key')") == key

    # Someone else changes a corroboration after the page read it: the reject is a 412, shown, and nothing changes.
    other = "training-egyptian-servicemen-in-russia"
    open_view(page, f"/corroborations/{other}")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator(".review .problem")).to_contain_text("Say why it is rejected")
    stale = httpx.get(f"{live_server.url}/v1/corroborations/{other}")
    changed = httpx.patch(f"{live_server.url}/v1/corroborations/{other}", json={"explanation": stale.json()["explanation"] + " (Checked.)"},
                          headers={"Authorization": f"Bearer {key}", "If-Match": stale.headers["etag"]})
    assert changed.status_code == 200, changed.text
    page.locator("#reject-reason").fill("Two passages of one report, not two sources.")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator(".review .problem-title")).to_have_text("Precondition Failed (412)")
    assert httpx.get(f"{live_server.url}/v1/corroborations/{other}").json()["status"] == "confirmed"
    # Reloaded, the page has the new ETag and the reject goes through.
    page.get_by_role("button", name="Try again").click()
    page.locator("#reject-reason").fill("Two passages of one report, not two sources.")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator(".relation-meta .badge")).to_have_text("rejected")
    after = httpx.get(f"{live_server.url}/v1/corroborations/{other}").json()
    assert (after["status"], after["resolution"]) == ("rejected", "Two passages of one report, not two sources.")
    page.locator("#key-panel summary").click()
    page.get_by_role("button", name="Forget the key").click()
    expect(page.locator("#key-state")).to_have_text("none")


def test_a_view_shows_that_it_is_loading_until_the_api_answers(page: Page) -> None:
    held: list[Route] = []
    page.route("**/v1/claims/*", lambda route: held.append(route))
    page.goto(f"/explore#/claims/{HEADLINE}")
    expect(page.locator("main .loading[role=status]")).to_have_text("Loading…")
    expect(page.locator("main")).to_have_attribute("aria-busy", "true")
    assert [r.request.url.rsplit("/", 1)[1] for r in held] == [HEADLINE]
    held[0].continue_()
    wait_view(page, f"/claims/{HEADLINE}")
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator(".loading")).to_have_count(0)


def test_a_missing_record_shows_the_api_problem(page: Page) -> None:
    open_view(page, "/claims/no-such-claim")
    expect(page.locator("h1")).to_have_text("This view could not be shown")
    expect(page.locator("[role=alert] .problem-title")).to_have_text("Not Found (404)")
    expect(page.locator("[role=alert] p").nth(1)).to_have_text("Claim 'no-such-claim' does not exist.")


def test_contradictions_list_filters_by_the_contracts_enumerations(page: Page, live_server: LiveServer) -> None:
    open_view(page, "/contradictions")
    statuses = api(live_server, "/openapi.json")["components"]["schemas"]["ContradictionStatus"]["enum"]
    expect(page.locator("#filter-status option")).to_have_count(len(statuses) + 1)
    page.locator("#filter-status").select_option("reconciled")
    page.get_by_role("button", name="Filter").click()
    wait_view(page, "/contradictions?status=reconciled")
    ids = [c["id"] for c in api(live_server, "/v1/contradictions?status=reconciled")["items"]]
    assert page.locator("ul.relations > li").evaluate_all("ls => ls.map(l => l.dataset.relation)") == ids
    screenshot(page, "contradictions")


def test_phone_width_keeps_the_page_within_the_screen(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    for route in (f"/claims/{ARABIC_CLAIM}", f"/propositions/{STORY}", f"/actors/{SISI}", f"/sources/{BUNA}", "/contradictions"):
        open_view(page, route)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, route
    open_view(page, f"/claims/{ARABIC_CLAIM}")
    screenshot(page, "phone-claim-arabic")


def test_keyboard_reaches_the_content_and_moves_focus_to_each_new_view(page: Page) -> None:
    open_view(page, "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.closest('main') !== null]")
    assert focused == ["INPUT", True]
    link = page.locator(f"ul.stories a[href='#/propositions/{STORY}']")
    link.focus()
    assert link.evaluate("a => getComputedStyle(a).outlineStyle") == "solid"  # focus is visible
    page.keyboard.press("Enter")
    wait_view(page, f"/propositions/{STORY}")
    assert page.evaluate("document.activeElement.tagName") == "H1"
    # The timeline's claims are links in the tab order.
    page.locator(f".timeline-row[data-claim='{HEADLINE}']").focus()
    page.keyboard.press("Enter")
    wait_view(page, f"/claims/{HEADLINE}")


VIEWS = [
    "/", "/search?q=40%2C000%20missiles", "/search?q=%D8%A7%D9%84%D8%B3%D9%8A%D8%B3%D9%8A", f"/claims/{HEADLINE}", f"/claims/{ARABIC_CLAIM}",
    f"/propositions/{STORY}", "/propositions", "/contradictions", "/contradictions/missile-plan-vs-no-deliveries-seen",
    "/corroborations", "/corroborations/missile-plan-reported-in-english-and-arabic", f"/sources/{BUNA}",
    f"/sources/{ARABIC_REPORT}?start=1986&end=2146", "/sources", f"/actors/{SISI}", "/actors", "/claims/no-such-claim", "/no/such/view",
]


def test_axe_finds_no_serious_or_critical_violation_on_any_view(page: Page) -> None:
    # One page for every view (hash navigation keeps the document, so axe-core is injected once); a screenshot of each.
    found = {}
    for route in VIEWS:
        open_view(page, route)
        screenshot(page, "view-" + (re.sub(r"[^a-z0-9]+", "-", route.lower()).strip("-")[:80] or "home"))
        violations = axe_violations(page)
        if violations:
            found[route] = violations
    assert found == {}


ARABIC_SCRIPT_OUTSIDE_ARABIC = r"""() => {
    const out = [];
    const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!/[\u0600-\u06FF]/.test(n.data)) continue;
        const el = n.parentElement;
        // An SVG <title> is one plain string (a tooltip and accessible name): it cannot mark a run inside it.
        if (el.closest('title')) continue;
        if (el.closest('[lang]').getAttribute('lang') !== 'ar' || getComputedStyle(el).direction !== 'rtl') out.push(n.data.slice(0, 40));
    }
    return out;
}"""


def test_arabic_text_is_marked_arabic_and_right_to_left(page: Page) -> None:
    found = {}
    for route in (f"/claims/{ARABIC_CLAIM}", f"/actors/{SISI}", "/search?q=%D8%A7%D9%84%D8%B3%D9%8A%D8%B3%D9%8A", f"/sources/{ARABIC_REPORT}"):
        open_view(page, route)
        wrong = page.evaluate(ARABIC_SCRIPT_OUTSIDE_ARABIC)
        if wrong:
            found[route] = wrong
    assert found == {}


def test_the_page_loads_nothing_from_elsewhere_and_keeps_its_policy(page: Page, live_server: LiveServer, watch: Watch) -> None:
    # The server runs with CORS off (CLAIMS_CORS_ORIGINS empty): the page is same-origin and needs none.
    response = page.goto("/explore")
    assert response is not None
    assert re.match(r"default-src 'none'; script-src 'self';", response.headers["content-security-policy"])
    wait_view(page, "/")
    api_calls: list[dict[str, str]] = []
    page.on("response", lambda r: api_calls.append(r.headers) if "/v1/" in r.url else None)
    open_view(page, f"/claims/{HEADLINE}")
    assert api_calls and not any(k.startswith("access-control-") for headers in api_calls for k in headers)
    assert watch.foreign == []
