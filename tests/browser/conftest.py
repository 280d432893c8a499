"""Fixtures for the explorer's browser tests: a real uvicorn server over a database built from data/, and Chromium
(Debian's package, /usr/bin/chromium) driven by Playwright for Python.

The server runs in its own process, once per session, on a copy of the template database (tests/conftest.py); a test
that writes (a review) does so on records no other test reads. Each test gets a fresh browser context, and fails if the
page raised a JavaScript error or requested anything from another origin (the page must work without internet).
Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from api.config import ROOT, Settings
from tests.conftest import make_key

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"  # axe-core 4.14.1, see its README.md
SCREENSHOTS = ROOT / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
# In CI these tests share two cores with the PostgreSQL run: waits are generous, and a pass never waits for them.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    database_url: str
    log: Path

    def write_key(self) -> str:
        return make_key(Settings(database_url=self.database_url, data_dir=ROOT / "data", auto_build=False), "write", "reviewer")


@pytest.fixture(scope="session")
def live_server(template_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn serving api.main:app on a free port, over a copy of the database built from data/."""
    directory = tmp_path_factory.mktemp("explorer")
    database = directory / "claims.db"
    shutil.copyfile(template_url.removeprefix("sqlite:///"), database)
    port = _free_port()
    log = directory / "server.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "CLAIMS_AUTO_BUILD": "false", "CLAIMS_CORS_ORIGINS": ""}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log.read_text()}")
            time.sleep(0.1)
        yield LiveServer(url=url, database_url=f"sqlite:///{database}", log=log)
    finally:
        process.terminate()
        process.wait(timeout=10)


# Playwright's sync API runs an event loop of its own while it is open, and the async tests (anyio) cannot start theirs
# meanwhile: it is closed with the module that uses it, before any other test file runs.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Watch:
    """What a page did that a test must not allow: JavaScript errors and requests to other origins."""

    origin: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def console(self, kind: str, text: str) -> None:
        # Chromium logs every 4xx answer as "Failed to load resource"; the tests that cause one check what the page showed.
        if kind == "error" and not text.startswith("Failed to load resource: the server responded with a status of 4"):
            self.errors.append(text)

    def request(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign.append(url)


@pytest.fixture
def watch(live_server: LiveServer) -> Watch:
    return Watch(origin=live_server.url)


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, watch: Watch) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("console", lambda message: watch.console(message.type, message.text))
    page.on("request", lambda request: watch.request(request.url))
    yield page
    context.close()
    assert watch.errors == []
    assert watch.foreign == []


def wait_view(page: Page, hash_route: str) -> None:
    """Wait until the view at #<hash_route> has rendered: the page marks <main> with its route once it has."""
    page.wait_for_function(
        "route => document.querySelector('main').dataset.route === route && document.querySelector('main').dataset.ready === 'true'",
        arg="#" + hash_route,
    )


def open_view(page: Page, hash_route: str) -> None:
    """Go to /explore#<route> and wait until the view has rendered."""
    page.goto(f"/explore#{hash_route}")
    wait_view(page, hash_route)


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def screenshot(page: Page, name: str) -> Path:
    """var/screenshots/<name>.png: the whole page."""
    path = screenshot_path(name)
    page.screenshot(path=path, full_page=True)
    return path


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Run axe-core on the page as it is; the serious and critical violations (WCAG 2.x A and AA, and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]
