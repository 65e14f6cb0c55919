"""The page around the HTML report: document skeleton and stylesheet (no numbers here)."""

from __future__ import annotations

from string import Template

from retrowalk.report.figures import PALETTE

__all__ = ["CSS", "PAGE"]

PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="retrowalk $version">
<title>$title</title>
<style>
$css
</style>
</head>
<body>
<header>
<h1>$title</h1>
<p class="sub">$subtitle</p>
</header>
<main>
$body
</main>
<footer>
<p>retrowalk $version, JSON schema $schema. $caveat</p>
</footer>
</body>
</html>
"""
)

CSS = """
:root { --fwd: @forward@; --bwd: @backward@; --unc: @uncertain@; --ink: #1a1a1a;
        --muted: #555; --line: #d0d0d0; --card: #f6f6f6; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 1rem 1.5rem 3rem;
       line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 2px solid var(--line);
     padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.5rem; }
.sub { color: var(--muted); margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr));
         gap: 0.8rem; }
.card { background: var(--card); border-radius: 6px; padding: 0.8rem 1rem;
        border-top: 6px solid var(--line); }
.card.backward { border-top-color: var(--bwd); }
.card.forward { border-top-color: var(--fwd); }
.card.uncertain { border-top-color: var(--unc); }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: 0.15rem 0.8rem; margin: 0; }
.card dt { color: var(--muted); }
.card dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.card .hint { display: block; }
.card dd { white-space: nowrap; }
.card.session dd { white-space: normal; }
.card.session { grid-column: 1 / -1; }
.card.session dl { grid-template-columns: auto auto auto auto; }
.card.session dd { text-align: left; }
.unit, .hint { color: var(--muted); font-size: 0.9em; }
figure { margin: 1rem 0; }
figure img { width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 0.9rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; color: var(--muted); padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: right;
         font-variant-numeric: tabular-nums; }
th { background: #eee; }
th[scope=row], td.text, th.text { text-align: left; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #333;
          vertical-align: -0.1em; margin-right: 0.3em; }
.swatch.backward { background: repeating-linear-gradient(45deg, var(--bwd) 0 3px, #fff 3px 4px); }
.swatch.forward { background: var(--fwd); }
.swatch.uncertain { background: radial-gradient(#333 20%, var(--unc) 25%) 0 0 / 4px 4px; }
.assumed { font-weight: bold; }
dl.glossary dt { font-weight: bold; margin-top: 0.5rem; }
dl.glossary dd { margin-left: 1rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.85rem; }
@media print { figure img { border: none; } h2 { break-after: avoid; } }
@media (max-width: 600px) {
  body { padding: 0.6rem 0.6rem 2rem; }
  h1 { font-size: 1.3rem; overflow-wrap: anywhere; }
  .cards { grid-template-columns: minmax(0, 1fr); }
  .card.session dl { grid-template-columns: auto 1fr; }
  .card dd { white-space: normal; }
  table { display: block; overflow-x: auto; }
  td, th { white-space: nowrap; }
}
"""
for _direction, _colour in PALETTE.items():
    CSS = CSS.replace(f"@{_direction}@", _colour)
