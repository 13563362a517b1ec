"""The HTML quality report's inline style (no external assets): system fonts, light and dark, readable on
a 375px phone. Salesforce bars blue, HubSpot bars orange."""

from __future__ import annotations

STYLE = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --line: #d1d9e0;
  --sf: #0b6bcb; --hs: #d9480f; --bad-bg: #ffebe9; --bad-fg: #82071e; --note: #9a6700; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --sf: #4493f8; --hs: #ff8c5a;
    --bad-bg: #3c1618; --bad-fg: #ffa198; --note: #d29922; }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 50rem; padding: 0 1rem 2rem; color: var(--fg); background: var(--bg);
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: 1rem 0 .5rem; }
h2 { font-size: 1.3rem; line-height: 1.25; margin: 2rem 0 .75rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line); }
p { margin: .5rem 0; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
ul { padding-left: 1.25rem; margin: .25rem 0; }
li { margin: .2rem 0; }
.muted { color: var(--muted); }
.summary { font-weight: 600; }
.summary.breached, li.breach { color: var(--bad-fg); }
.summary.breached { background: var(--bad-bg); padding: .5rem .75rem; border-radius: 6px; }
.badge { display: inline-block; font-size: .8rem; font-weight: 600; padding: 0 .5rem; border-radius: 1rem;
  vertical-align: middle; background: var(--bad-bg); color: var(--bad-fg); }
ul.fields { list-style: none; padding: 0; }
li.field { margin: .75rem 0; }
.swatch { vertical-align: baseline; }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: .85rem; }
svg.chart { display: block; overflow: hidden; font: 13px system-ui, -apple-system, "Segoe UI", Roboto,
  sans-serif; }
svg text { fill: var(--fg); }
svg text.in { fill: #fff; font-weight: 600; }
svg text.none { fill: var(--muted); font-style: italic; }
svg .noted text.label { fill: var(--note); font-weight: 600; }
svg .empty text.label { fill: var(--muted); font-style: italic; }
rect.crm-salesforce { fill: var(--sf); }
rect.crm-hubspot { fill: var(--hs); }
@media (max-width: 30rem) { body { padding: 0 .75rem 2rem; } }
"""
