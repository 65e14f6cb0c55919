"""Every field of every page has a label a screen reader reads out with it.

Each page a signed-in user reaches (an adult with an analysed recording, a test, a
plan and a logged session; a child with a logged milestone) is read as HTML:
every input, list and text box that is shown is inside a ``<label>``, named by a
``<label for>``, or has an ``aria-label``.
"""

from __future__ import annotations

from html.parser import HTMLParser

from fastapi.testclient import TestClient
from webtest_helpers import add_person, csrf, sign_up, upload, wait_for_analysis

from realdata import require

FIELDS = ("input", "select", "textarea")


class _Fields(HTMLParser):
    """The page's fields with whether a label names them."""

    def __init__(self) -> None:
        super().__init__()
        self.open_labels = 0
        self.label_for: set[str] = set()
        self.fields: list[tuple[dict[str, str], bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in FIELDS and a.get("type") != "hidden":
            self.fields.append((a, self.open_labels > 0 or bool(a.get("aria-label"))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1

    def unlabelled(self) -> list[dict[str, str]]:
        return [a for a, ok in self.fields if not ok and a.get("id") not in self.label_for]


def _unlabelled(client: TestClient, page: str) -> list[dict[str, str]]:
    response = client.get(page)
    assert response.status_code == 200, page
    parser = _Fields()
    parser.feed(response.text)
    return parser.unlabelled()


def test_every_field_of_every_page_has_a_label(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    missing = {page: _unlabelled(client, page) for page in ("/signin", "/signup")}
    sign_up(client, "labels@example.org")
    adult = add_person(client, "Ada", height_m="1.70")
    rec = upload(client, adult, require("mocap-backward", "09_12_pelvis.csv"))
    wait_for_analysis(app)
    url = f"/people/{adult}"
    token = csrf(client, url)
    client.post(f"{url}/tests/3mbwt", data={"csrf_token": token, "time_s": "4.2"})
    client.post(f"{url}/coach/plan", data={"csrf_token": token, "goal": "fitness"})
    client.post(f"{url}/coach/log", data={"csrf_token": token, "backward_min": "10"})
    child = add_person(client, "Kit", kind="child", birth_date="2025-01-10")
    client.post(
        f"/children/{child}/observations",
        data={"csrf_token": token, "skill": "backward-crawling"},
    )
    pages = [
        "/people",
        url,
        f"/recordings/{rec['id']}",
        f"{url}/calibration",
        f"{url}/progress",
        f"{url}/tests/3mbwt",
        f"{url}/coach",
        f"{url}/coach/log",
        f"{url}/coach/screening",
        f"{url}/report",
        "/clinic",
        "/children",
        f"/children/{child}",
        f"/children/{child}/guide",
        f"/children/{child}/count",
        "/account",
        "/learn",
    ]
    missing.update({page: _unlabelled(client, page) for page in pages})
    assert not any(missing.values()), missing
