"""The engine version keys stored results: it changes with the engine's code, not the rest."""

from __future__ import annotations

from pathlib import Path

from retrowalk import __version__
from retrowalk.core.provenance import engine_digest, engine_version


def test_engine_version_is_the_package_version_and_a_digest() -> None:
    version = engine_version()
    assert version.startswith(__version__ + "+") and len(version) == len(__version__) + 11


def test_the_digest_follows_the_engine_s_files_only(tmp_path: Path) -> None:
    for name in ("gait/contacts.py", "web/app.py", "data/direction_travel.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    before = engine_digest(tmp_path)
    (tmp_path / "web" / "app.py").write_text("x = 2\n")  # presentation only
    (tmp_path / "gait" / "__pycache__").mkdir()
    (tmp_path / "gait" / "__pycache__" / "contacts.cpython-311.pyc").write_bytes(b"\0")
    assert engine_digest(tmp_path) == before
    (tmp_path / "gait" / "contacts.py").write_text("x = 2\n")  # a detection rule
    changed = engine_digest(tmp_path)
    assert changed != before
    (tmp_path / "data" / "direction_travel.json").write_text("{}")  # fitted data
    assert engine_digest(tmp_path) != changed


def test_version_relation_says_earlier_or_later_only_when_the_releases_say_so() -> None:
    from retrowalk.core.provenance import version_relation

    assert version_relation(["0.0.1+a", "0.0.9+b"], "0.1.0+c") == "earlier"
    assert version_relation(["0.10.0+a"], "0.9.2+c") == "later"  # numbers, not text
    assert version_relation(["0.1.0+a"], "0.1.0+c") == "other"  # same release, other code
    assert version_relation(["0.0.1+a", "0.2.0+b"], "0.1.0+c") == "other"  # a mix
    assert version_relation(["unknown"], "0.1.0+c") == "other"
    assert version_relation([], "0.1.0+c") == "other"
