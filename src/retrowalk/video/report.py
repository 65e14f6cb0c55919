"""The video part of the HTML report: the annotated GIF and the form cues."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any


def video_section_html(data: Mapping[str, Any]) -> str:
    """An HTML section with the annotated video (if any) and each form cue."""
    video = data.get("video") or {}
    parts = ['<section aria-labelledby="h-video">', '<h2 id="h-video">Video</h2>']
    gif = (data.get("media") or {}).get("annotated_gif")
    if gif:
        parts.append(
            f'<figure id="annotated-video"><img src="{gif}" alt="The video with the walker\'s '
            'skeleton, each step marked and the walking direction" style="max-width:100%">'
            "<figcaption>Coloured lines: the person who walked. Red dots: foot contacts "
            "(steps). Grey boxes: other people, not counted.</figcaption></figure>"
        )
    walker = video.get("walker") or {}
    if walker.get("why"):
        parts.append(f"<p>Person analysed: {html.escape(walker['why'])}.</p>")
    lost = walker.get("tracking_lost") or []
    if lost:
        spans = ", ".join(f"{x['start_s']:.1f}-{x['end_s']:.1f} s" for x in lost)
        parts.append(f"<p>Tracking was lost at {html.escape(spans)}.</p>")
    for item in video.get("form", []):
        parts.append(f"<h3>Form in backward bout {item['bout'] + 1}</h3><ul class='form-cues'>")
        for cue in item["cues"]:
            links = " ".join(
                f'<a href="{html.escape(link)}">learn more</a>' for link in cue["links"]
            )
            mark = "fine" if cue["ok"] else "to work on"
            parts.append(
                f"<li data-check='{html.escape(cue['check'])}'><strong>"
                f"{html.escape(cue['tip'])}</strong> ({mark}): {html.escape(cue['message'])} "
                f"{links}</li>"
            )
        parts.append("</ul>")
    if not video.get("form"):
        parts.append("<p>No backward walking was found, so there are no form checks.</p>")
    parts.append("</section>")
    return "\n".join(parts)
