"""Feedback on long work and compressed assets, in a real browser against a real server.

- An upload shows its percent while it is sent; a video analysis shows its stage
  and a percent that grows with the frames analysed; the finished report sits in
  a frame as tall as its content (one scrollbar: the page's).
- Static files and large pages reach the browser gzipped (Plotly: about 1.5 MB
  instead of 4.8 MB) and still work; a client that does not ask for gzip gets the
  plain bytes.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from browser_helpers import CHROMIUM, sign_up_in_browser

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")

PASSWORD = "Backward-walk-on-the-beach-2026"

# Records the texts of the upload note across the page's life (the page navigates
# away once the upload is stored, so the texts are sent out as they appear).
RECORD_UPLOAD_NOTE = """
new MutationObserver(() => {
  const note = document.getElementById("upload-status");
  if (note && !note.hidden && note.textContent) { window.recordNote(note.textContent); }
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


def _sign_up_with_person(page, server: str, email: str) -> None:  # type: ignore[no-untyped-def]
    sign_up_in_browser(page, server, email, PASSWORD)
    page.fill("input[name=name]", "Vera")
    page.fill("input[name=height_m]", "1.65")
    page.click("text=Add person")
    page.wait_for_url("**/people/*")


READ_PROGRESS = """() => {
  const stage = document.getElementById("status-stage");
  const meter = document.getElementById("analysis-progress");
  return stage && meter && !meter.hidden ? [stage.innerText, meter.value] : null;
}"""


@pytest.mark.slow
def test_upload_and_video_analysis_show_progress(
    browser_side_once: None,
    server: str,
    page,  # type: ignore[no-untyped-def]
    shared_data: Path,
) -> None:
    pytest.importorskip("mediapipe", reason="the video extra is not installed")
    PlaywrightError = pytest.importorskip("playwright.sync_api").Error
    video = shared_data / "video" / "sports2d-demo.mp4"
    notes: list[str] = []
    page.expose_binding("recordNote", lambda _source, text: notes.append(text))
    page.add_init_script(RECORD_UPLOAD_NOTE)
    _sign_up_with_person(page, server, "progress@example.org")

    # Send the 4 MB upload at about 1 MB/s so that its progress can be seen.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 5, "downloadThroughput": -1, "uploadThroughput": 1_000_000},
    )
    page.set_input_files("#file-input", str(video))
    page.click("#upload-button")
    page.wait_for_url("**/recordings/*", timeout=120_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    percents = [
        int(text.split(":")[1].split("%")[0]) for text in notes if text.startswith("Uploading:")
    ]
    assert any(0 < p < 100 for p in percents), notes  # seen part-way, not only at the ends
    assert percents == sorted(percents), notes
    assert any("checking the file" in text for text in notes), notes

    # The analysis: the stage and a percent that grows with the frames analysed.
    seen: list[tuple[str, float]] = []
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if page.locator("#status-box[data-status=done]").count():
            break
        try:  # read in one go: the page reloads itself when the analysis is done
            shown = page.evaluate(READ_PROGRESS)
        except PlaywrightError:
            shown = None
        if shown:
            seen.append((str(shown[0]), float(shown[1])))
        time.sleep(0.4)
    assert page.locator("#status-box[data-status=done]").count(), "the analysis did not finish"
    assert page.locator("#walked .big").count() >= 2  # what was walked, by direction
    frames = [(text, value) for text, value in seen if "finding steps" in text and "%" in text]
    assert len({value for _, value in frames}) >= 2, seen  # the percent moved
    values = [value for _, value in frames]
    assert values == sorted(values) and 10 < values[-1] <= 90, seen

    # The report frame is as tall as the report: no scrollbar inside it.
    page.wait_for_function(
        """() => { const f = document.querySelector("iframe.report");
                   return f && f.contentDocument && f.contentDocument.body
                          && f.contentDocument.body.scrollHeight > 0
                          && f.getAttribute("scrolling") === "no"; }""",
        timeout=30_000,
    )
    inner, outer = page.evaluate(
        """() => { const f = document.querySelector("iframe.report");
                   const d = f.contentDocument.scrollingElement;
                   return [d.scrollHeight, f.clientHeight]; }"""
    )
    assert inner <= outer + 2, (inner, outer)
    assert outer > 900  # taller than the 80 % of the window it used to be held to


def test_browser_gets_gzip_and_plain_clients_do_not(
    server: str,
    page,  # type: ignore[no-untyped-def]
) -> None:
    _sign_up_with_person(page, server, "gzip@example.org")
    person_url = page.url
    # The first browser ever gets Plotly plain while its gzip copy is made once,
    # in the background; every browser after that gets the copy.
    # A person without recordings has no charts: the browser loads the bundle itself.
    page.add_script_tag(url=server + "/static/plotly.min.js")
    page.wait_for_function("() => typeof Plotly === 'object'", timeout=60_000)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        probe = httpx.get(server + "/static/plotly.min.js", headers={"Accept-Encoding": "gzip"})
        if probe.headers.get("content-encoding") == "gzip":
            break
        time.sleep(0.5)

    context = page.context.browser.new_context()
    context.add_cookies(page.context.cookies())
    fresh = context.new_page()
    responses: dict[str, object] = {}
    fresh.on("response", lambda r: responses.__setitem__(r.url.split("?")[0], r))
    started = time.perf_counter()
    fresh.goto(person_url)
    fresh.add_script_tag(url=server + "/static/plotly.min.js")
    fresh.wait_for_function("() => typeof Plotly === 'object'", timeout=60_000)
    first_load_s = time.perf_counter() - started

    plotly = responses[server + "/static/plotly.min.js"]
    headers = plotly.all_headers()  # type: ignore[attr-defined]
    assert headers.get("content-encoding") == "gzip"
    assert "max-age" in headers.get("cache-control", "")
    sent = plotly.request.sizes()["responseBodySize"]  # type: ignore[attr-defined]
    assert 1_000_000 < sent < 2_000_000, sent  # 4.8 MB of JavaScript, gzipped
    css = responses[server + "/static/style.css"]
    assert css.all_headers().get("content-encoding") == "gzip"  # type: ignore[attr-defined]
    # The page itself is over the threshold and came gzipped too.
    page_response = responses[person_url]
    assert page_response.all_headers().get("content-encoding") == "gzip"  # type: ignore[attr-defined]
    print(f"person page load with Plotly: {first_load_s:.2f} s, plotly sent {sent} B")
    context.close()

    # A client that does not ask for gzip gets the plain bytes.
    plain = httpx.get(server + "/static/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert len(plain.content) > 4_000_000
    assert plain.headers["vary"].lower() == "accept-encoding"
    zipped = httpx.get(server + "/static/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes it: the same script
    again = httpx.get(
        server + "/static/plotly.min.js",
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
    )
    assert again.status_code == 304
