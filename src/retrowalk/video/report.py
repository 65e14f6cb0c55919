"""The video part of the HTML report: the annotated GIF and the form cues."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

_REASON_HELP = {
    "not tracked": "Nobody was followed long enough; keep the whole person in view for a few "
    "seconds.",
    "too few contacts": "Fewer than three steps were seen; film more steps with the feet in view.",
    "not moving": "The person did not travel or step.",
    "view unsupported": "The view did not show the walk clearly; film from the side, or straight "
    "towards or away from the camera.",
}


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
    reason = video.get("no_walking_reason")
    if reason:
        parts.append(
            f"<p id='no-walking'><strong>No walking was found: {html.escape(reason)}.</strong> "
            f"{html.escape(_REASON_HELP.get(reason, ''))}</p>"
        )
    cuts = video.get("cuts_s") or []
    if cuts:
        at = ", ".join(f"{t:.1f} s" for t in cuts)
        parts.append(
            f"<p>The video has {len(cuts) + 1} shots (cuts at {html.escape(at)}); each was "
            "analysed on its own and no walking bout spans a cut.</p>"
        )
    for shot in video.get("shots") or []:
        if len(video.get("shots") or []) > 1 and shot.get("no_walking_reason"):
            parts.append(
                f"<p>Shot {shot['shot'] + 1} ({shot['start_s']:.1f}-{shot['end_s']:.1f} s): "
                f"no walking ({html.escape(shot['no_walking_reason'])}).</p>"
            )
    if (video.get("camera") or {}).get("moving"):
        parts.append(
            "<p>The camera moved; its motion was measured from the background and removed, "
            "so travel is measured in the scene, not in the image.</p>"
        )
    unit = video.get("speed_unit")
    if unit and unit != "m/s":
        parts.append(
            f"<p>Speed is given in {html.escape(unit)}. Give your height, or mark two points on "
            "the floor at a known distance, for metres per second.</p>"
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
