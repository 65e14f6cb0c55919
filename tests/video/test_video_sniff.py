"""Recognising video files by content (fast; no pose model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrowalk.video.source import is_video_file, looks_like_video


@pytest.mark.parametrize(
    "head",
    [
        b"\x00\x00\x00\x20ftypisom\x00\x00",  # mp4
        b"\x00\x00\x00\x14ftypqt  \x00\x00",  # QuickTime mov
        b"RIFF\x10\x00\x00\x00AVI LIST",  # AVI
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81",  # WebM / Matroska
    ],
)
def test_video_containers_recognised(head: bytes) -> None:
    assert looks_like_video(head)


@pytest.mark.parametrize(
    "head", [b"time_s,acc_x,acc_y", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WAVEfmt ", b""]
)
def test_other_content_not_video(head: bytes) -> None:
    assert not looks_like_video(head)


def test_video_named_csv_is_sniffed_by_content(tmp_path: Path) -> None:
    fake = tmp_path / "walk.csv"
    fake.write_bytes(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 64)
    assert is_video_file(fake)
    text = tmp_path / "walk.mp4"
    text.write_text("time_s,acc_x\n0,1\n")
    assert not is_video_file(text)


def test_broken_video_is_an_input_error(tmp_path: Path) -> None:
    pytest.importorskip("cv2", reason="the video extra (opencv) is not installed")
    pytest.importorskip("mediapipe", reason="the video extra (mediapipe) is not installed")
    from retrowalk.core.errors import InputError
    from retrowalk.io import read_recording

    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 64)
    with pytest.raises(InputError, match=r"broken\.mp4"):
        read_recording(bad)


def test_form_rules_link_to_learn_entries() -> None:
    from retrowalk.video.form import form_rules

    rules = form_rules()
    assert {x for r in rules.values() for x in r["learn"]} == {
        "form-look-ahead",
        "form-shorter-steps",
        "form-toe-then-heel",
        "form-upright",
    }
