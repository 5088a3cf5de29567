"""Browser tests in Debian's headless Chromium, driven by Playwright (never a downloaded browser).

Without /usr/bin/chromium the browser tests are skipped and the run ends by saying so;
with LAWLEARN_REQUIRE_BROWSER=1 (as in .ci/run) a missing browser fails the run instead.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path(os.environ.get("LAWLEARN_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("LAWLEARN_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    for item in items:
        if "e2e" in item.path.parts:
            if REQUIRED:
                item.add_marker(pytest.mark.xfail(reason="no browser", run=False, strict=True))
            else:
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} not installed"))
    config.stash[MISSING_BROWSER] = True


MISSING_BROWSER = pytest.StashKey[bool]()


@pytest.fixture(scope="session", autouse=True)
def _browser_must_exist():
    if REQUIRED and not CHROMIUM.exists():
        pytest.fail(f"LAWLEARN_REQUIRE_BROWSER=1 but {CHROMIUM} is missing "
                    "(apt-get install -y chromium fonts-noto-cjk)")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"],
    }


def _buffer_file_responses(response):
    """Read static files into memory and close them before sending.

    The development server leaves a streamed file open when the browser drops the
    connection mid-response (it does when a page navigates while its favicon loads),
    and the ResourceWarning that follows would fail an unrelated test at random.
    """
    if response.direct_passthrough and response.response is not None:
        body = response.response
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        response.direct_passthrough = False
        response.set_data(data)
    return response


class _QuietHandler(WSGIRequestHandler):
    """No request log: a request finishing after its test (a late favicon) wrote to the
    test's captured stderr, closed by then ("--- Logging error ---" in the suite's output)."""

    def log(self, *_args, **_kwargs) -> None:
        pass


@pytest.fixture
def live_server(app):
    """The app served on a free local port from a background thread."""
    app.after_request(_buffer_file_responses)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


# A page that loads in well under a second alone can take several on a two-core machine
# busy with the rest of the suite (a sign-in once waited 8 s for its home page).
ACTION_TIMEOUT_MS = 20_000
expect.set_options(timeout=ACTION_TIMEOUT_MS)  # its own default is 5 s


@pytest.fixture
def phone(browser):
    """A 360×740 phone context that refuses (and records) any request off this machine."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    outside: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_local)
    context.outside_requests = outside
    yield context
    context.close()
    assert outside == [], f"pages asked for assets off this machine: {outside}"


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield context
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
