"""Nothing internal leaks: no server paths in the API or the export, and sign-up does
not say which e-mail addresses have accounts (real server)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

from sechelpers import browser, csrf, running_server, sign_out, sign_up, token_headers

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_no_server_path_in_observations_or_export(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        sign_up(http, "paths@example.org")
        auth = token_headers(http, "paths@example.org")
        child = http.post(
            "/api/v1/people",
            headers=auth,
            json={"name": "Kit", "kind": "child", "birth_date": "2024-01-10"},
        ).json()["id"]
        page = http.get(f"/children/{child}").text
        skill = re.findall(r'<option value="([a-z0-9_]+)"', page)[0]
        r = http.post(
            f"/children/{child}/observations",
            data={"skill": skill, "date": "2025-02-01", "csrf_token": csrf(http, "/people")},
            files={"file": ("photo.png", PNG, "image/png")},
        )
        assert r.status_code == 303, r.text
        data_dir = str(tmp_path / "data")
        listed = http.get(f"/api/v1/people/{child}/observations", headers=auth)
        assert listed.status_code == 200 and len(listed.json()) == 1
        assert "attachment_path" not in listed.json()[0]
        assert data_dir not in listed.text
        export = http.get(f"/api/v1/people/{child}/export", headers=auth)
        with zipfile.ZipFile(io.BytesIO(export.content)) as zf:
            names = zf.namelist()
            assert any(n.startswith("attachments/") for n in names)  # the photo is kept
            for name in names:
                if name.endswith((".json", ".csv")):
                    text = zf.read(name).decode()
                    assert data_dir not in text and "attachment_path" not in text, name


def _signup(http, email: str, password: str):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    r = http.post(
        "/signup",
        data={"email": email, "password": password, "csrf_token": csrf(http, "/signup")},
    )
    return r, time.perf_counter() - started


def test_sign_up_does_not_reveal_existing_accounts(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        sign_up(http, "taken@example.org")
        sign_out(http)
        taken, _ = _signup(http, "taken@example.org", "another long walk")
        assert taken.status_code == 400
        message = re.search(r'<p class="error" role="alert">([^<]*)</p>', taken.text)
        assert message is not None
        text = message.group(1).lower()
        assert "exist" not in text and "already" not in text and "taken" not in text
        assert "no account was created" in text
        # The refusal page is the sign-up form as for any other refused sign-up.
        weak, _ = _signup(http, "free@example.org", "password")
        assert weak.status_code == 400
        strip = re.compile(r'<p class="error" role="alert">[^<]*</p>|value="[^"]*"')
        assert strip.sub("", taken.text) == strip.sub("", weak.text)
