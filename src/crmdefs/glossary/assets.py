"""The HTML glossary's inline style and script (no external assets): readable on a phone, light and dark,
and a search box that filters terms as you type. The script only uses textContent and createElement,
never innerHTML, so no definition text can run as code."""

from __future__ import annotations

STYLE = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --line: #d1d9e0;
  --accent: #0969da; --draft-bg: #fff8c5; --draft-fg: #4d2d00; --old-bg: #ffebe9; --old-fg: #82071e; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --accent: #4493f8;
    --draft-bg: #3b2e00; --draft-fg: #f2cc60; --old-bg: #3c1618; --old-fg: #ffa198; }
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 50rem; padding: 0 1rem 2rem; color: var(--fg); background: var(--bg);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; overflow-wrap: anywhere; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 1rem 0 .5rem; }
h2 { font-size: 1.4rem; line-height: 1.25; margin: 2.5rem 0 .75rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.2rem; line-height: 1.3; margin: 0 0 .5rem; }
h4 { font-size: 1rem; margin: 1rem 0 .25rem; }
p { margin: .5rem 0; }
a { color: var(--accent); }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
ul, ol { padding-left: 1.25rem; margin: .25rem 0; }
li { margin: .2rem 0; }
.muted { color: var(--muted); }
.search { position: sticky; top: 0; z-index: 1; background: var(--bg); padding: .5rem 0;
  border-bottom: 1px solid var(--line); }
.search label { display: block; font-weight: 600; }
#glossary_search { width: 100%; font-size: 1rem; padding: .5rem .75rem; color: var(--fg);
  background: var(--bg); border: 1px solid var(--line); border-radius: 6px; }
#search_status, #no_matches { margin: .25rem 0 0; color: var(--muted); }
nav ul { list-style: none; padding: 0; }
nav li { margin: .4rem 0; }
article.term, section.picklist { border: 1px solid var(--line); border-radius: 8px; padding: 1rem;
  margin: 1rem 0; }
[id] { scroll-margin-top: 7rem; }
.badge { display: inline-block; font-size: .8rem; font-weight: 600; padding: 0 .5rem; border-radius: 1rem;
  vertical-align: middle; }
.status-draft { background: var(--draft-bg); color: var(--draft-fg); }
.status-deprecated { background: var(--old-bg); color: var(--old-fg); }
p.status-note { padding: .5rem .75rem; border-radius: 6px; font-weight: 600; }
.summary { font-size: 1.05rem; font-weight: 500; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .25rem 1rem;
  margin: 1rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
@media (max-width: 30rem) {
  body { padding: 0 .75rem 2rem; }
  article.term, section.picklist { padding: .75rem; }
  dl.facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.facts dd { margin-bottom: .5rem; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  var input = document.getElementById("glossary_search");
  var status = document.getElementById("search_status");
  var none = document.getElementById("no_matches");
  var terms = Array.prototype.slice.call(document.querySelectorAll("article.term, section.picklist"));
  var sections = document.querySelectorAll("section.category, section.picklists");
  var overviews = document.querySelectorAll("[data-overview]");
  function words(term, selector) {
    var parts = term.querySelectorAll(selector);
    return Array.prototype.map.call(parts, function (p) { return p.textContent; }).join(" ").toLowerCase();
  }
  var index = terms.map(function (term) {
    return {
      term: term,
      picklist: term.tagName === "SECTION",
      title: term.querySelector("h3 [data-find]").textContent,
      names: words(term, "[data-find=name]"),
      all: words(term, "[data-find]")
    };
  });
  function has(text, query) {
    return query.every(function (w) { return text.indexOf(w) !== -1; });
  }
  function count(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function report(query, shown, lists, named) {
    status.textContent = "";
    if (!query.length) { return; }
    var found = shown - lists || !lists ? [count(shown - lists, "term", "terms")] : [];
    if (lists) { found.push(count(lists, "picklist", "picklists")); }
    status.append(found.join(" and ") + (shown === 1 ? " matches." : " match."));
    named.forEach(function (entry, i) {
      var link = document.createElement("a");
      link.href = "#" + entry.term.id;
      link.textContent = entry.title;
      status.append(i ? ", " : " By name: ", link);
    });
  }
  function filter() {
    var query = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    var lists = 0;
    var named = [];
    index.forEach(function (entry) {
      var hit = has(entry.all, query);
      entry.term.hidden = !hit;
      if (hit) { shown += 1; }
      if (hit && entry.picklist) { lists += 1; }
      if (query.length && has(entry.names, query)) { named.push(entry); }
    });
    sections.forEach(function (s) {
      s.hidden = !s.querySelector("article.term:not([hidden]), section.picklist:not([hidden])");
    });
    overviews.forEach(function (o) { o.hidden = query.length > 0; });
    none.hidden = shown > 0;
    report(query, shown, lists, named);
  }
  document.getElementById("search_box").hidden = false;
  input.addEventListener("input", filter);
  filter();
})();
"""
