#!/usr/bin/env python3
"""Open exported markdown solutions in headless Chromium with KaTeX and mermaid; fail on any error.

Usage: python scripts/browser_check.py [problems/mazur.yaml ...] [--screenshot page.png]
An error is a KaTeX or mermaid error, a node mermaid did not draw, or two text labels of a diagram
(node, edge and subgraph labels) whose text overlaps, or an edge or subgraph label under a node.
Needs Debian's chromium and the npm packages from scripts/setup-js.sh; loads nothing from the network.
Exit codes: 0 every page rendered cleanly, 1 one did not, 2 chromium or the npm packages are missing.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "tests" / "js" / "node_modules"
SCRIPTS = (MODULES / "katex" / "dist" / "katex.min.js", MODULES / "mermaid" / "dist" / "mermaid.min.js")
STYLE = MODULES / "katex" / "dist" / "katex.min.css"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--disable-extensions", "--mute-audio", "--virtual-time-budget=30000"]

PAGE_SCRIPT = """
// The union of the client rects of an element's visible text: the ink of its label, not its box.
function textBox(el) {
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let box = null;
  for (let t = walk.nextNode(); t; t = walk.nextNode()) {
    if (!t.data.trim()) continue;
    range.selectNodeContents(t);
    for (const r of range.getClientRects()) {
      if (r.width <= 0 || r.height <= 0) continue;
      box = box ? {l: Math.min(box.l, r.left), t: Math.min(box.t, r.top), r: Math.max(box.r, r.right),
                   b: Math.max(box.b, r.bottom)} : {l: r.left, t: r.top, r: r.right, b: r.bottom};
    }
  }
  return box;
}
// Every text label of a diagram: node, edge and subgraph labels, with the box of their text.
function labels(svg) {
  const found = [];
  for (const [kind, sel] of [["node", "g.node"], ["edge", "g.edgeLabel"], ["subgraph", "g.cluster-label"]]) {
    for (const el of svg.querySelectorAll(sel)) {
      const box = textBox(el);
      if (box) found.push({kind, text: el.textContent.trim(), box});
    }
  }
  return found;
}
const SLACK = 1;  // px: rounding, not overlap
function meet(a, b) {
  return Math.min(a.r, b.r) - Math.max(a.l, b.l) > SLACK && Math.min(a.b, b.b) - Math.max(a.t, b.t) > SLACK;
}
// Pairs of labels whose text boxes overlap, and edge or subgraph labels under a node's shape.
function overlaps(svg) {
  const all = labels(svg), out = [];
  all.forEach((a, i) => all.slice(i + 1).forEach(b => {
    if (meet(a.box, b.box)) out.push(`${a.kind} '${a.text}' overlaps ${b.kind} '${b.text}'`);
  }));
  for (const node of svg.querySelectorAll("g.node")) {
    const r = node.getBoundingClientRect(), shape = {l: r.left, t: r.top, r: r.right, b: r.bottom};
    for (const a of all) {
      if (a.kind !== "node" && meet(a.box, shape)) {
        out.push(`${a.kind} '${a.text}' lies under node '${node.textContent.trim()}'`);
      }
    }
  }
  return out;
}
window.addEventListener("load", async () => {
  const report = {katex: 0, katexErrors: [], mermaidError: null};
  for (const el of document.querySelectorAll(".math")) {
    try {
      katex.render(el.textContent, el, {displayMode: el.classList.contains("display"), throwOnError: true});
      report.katex += 1;
    } catch (e) { report.katexErrors.push(String(e.message || e)); }
  }
  try {
    mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
    await mermaid.run({querySelector: ".mermaid"});
  } catch (e) { report.mermaidError = String(e.message || e); }
  report.overlaps = [...document.querySelectorAll(".mermaid svg")].flatMap(overlaps);
  report.mermaidLabels = [...document.querySelectorAll(".mermaid svg")].map(s => labels(s).length);
  report.katexErrorNodes = document.querySelectorAll(".katex-error").length;
  report.mermaidSvgs = document.querySelectorAll(".mermaid svg").length;
  report.mermaidNodes = document.querySelectorAll(".mermaid svg g.node").length;
  report.mermaidErrorSvgs = document.querySelectorAll('.mermaid svg[aria-roledescription="error"]').length;
  const out = document.createElement("pre");
  out.id = "report";
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
});
"""


def find_chromium() -> str | None:
    """Debian's chromium, or whatever chromium is on PATH."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or \
        ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def markdown_of(problem: str) -> str:
    """The exported markdown of one problem file."""
    from backprop_cli.engine import solve
    from backprop_cli.load.document import load_problem
    from backprop_cli.render.markdown import render

    return render(solve(load_problem(problem)))


def _inline(text: str) -> str:
    parts = re.split(r"\$`(.+?)`\$", text)
    return "".join(f'<span class="math">{html.escape(p)}</span>' if k % 2 else html.escape(p)
                   for k, p in enumerate(parts))


def to_html(markdown: str) -> tuple[str, dict]:
    """A page for the document: math and mermaid blocks marked for the scripts, the rest as plain text."""
    body, counts, fence, block = [], {"math": 0, "mermaid_nodes": 0}, None, []
    for line in markdown.splitlines():
        if fence is None and line.startswith("```"):
            fence, block = line[3:].strip(), []
        elif fence is not None and line.strip() == "```":
            src = html.escape("\n".join(block))
            if fence == "math":
                counts["math"] += 1
                body.append(f'<div class="math display">{src}</div>')
            elif fence == "mermaid":
                counts["mermaid_nodes"] += sum(1 for b in block if re.match(r"\s+n\d+[\[(]", b))
                body.append(f'<pre class="mermaid">{src}</pre>')
            else:
                body.append(f"<pre>{src}</pre>")
            fence = None
        elif fence is not None:
            block.append(line)
        elif m := re.match(r"(#+) (.*)", line):
            body.append(f"<h{len(m[1])}>{_inline(m[2])}</h{len(m[1])}>")
        elif line.strip():
            counts["math"] += len(re.findall(r"\$`(.+?)`\$", line))
            body.append(f"<div>{_inline(line)}</div>")
    scripts = "".join(f'<script src="{s.as_uri()}"></script>' for s in SCRIPTS)
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="{STYLE.as_uri()}">'
            f"{scripts}</head><body>{''.join(body)}<script>{PAGE_SCRIPT}</script></body></html>")
    return page, counts


def check_markdown(markdown: str, chromium: str, screenshot: str | None = None) -> tuple[str, list[str]]:
    """Render a markdown document in chromium: a one-line summary, and what went wrong (nothing if clean)."""
    page, counts = to_html(markdown)
    with tempfile.TemporaryDirectory(prefix="backprop-browser-") as tmp:
        path = Path(tmp) / "solution.html"
        path.write_text(page, encoding="utf-8")
        base = [chromium, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}"]
        run = subprocess.run([*base, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=180)
        if screenshot:
            subprocess.run([*base, f"--screenshot={Path(screenshot).resolve()}", "--window-size=1100,3000",
                            path.as_uri()], capture_output=True, timeout=180)
    found = re.search(r'<pre id="report">(.*?)</pre>', run.stdout, re.S)
    if not found:
        return "no report", [f"no report in the page (chromium exit {run.returncode}): {run.stderr.strip()[-600:]}"]
    report = json.loads(html.unescape(found[1]))
    problems = [f"KaTeX: {e}" for e in report["katexErrors"]]
    if report["katex"] != counts["math"]:
        problems.append(f"KaTeX rendered {report['katex']} of {counts['math']} snippets")
    if report["katexErrorNodes"]:
        problems.append(f"{report['katexErrorNodes']} .katex-error elements in the page")
    if report["mermaidError"]:
        problems.append(f"mermaid: {report['mermaidError']}")
    if report["mermaidErrorSvgs"]:
        problems.append("mermaid drew its syntax-error picture instead of the diagram")
    if report["mermaidSvgs"] < 1:
        problems.append("mermaid drew no SVG")
    if report["mermaidNodes"] < counts["mermaid_nodes"]:
        problems.append(f"mermaid drew {report['mermaidNodes']} of {counts['mermaid_nodes']} nodes")
    problems += [f"labels overlap: {o}" for o in report["overlaps"]]
    summary = (f"{report['katex']} KaTeX snippets, {report['mermaidSvgs']} diagram(s) with {report['mermaidNodes']} "
               f"nodes and {sum(report['mermaidLabels'])} text labels, {len(report['overlaps'])} overlapping")
    return summary, problems


def main() -> int:
    """Check each problem (several chromiums at once); print what went wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problems", nargs="*", default=[str(ROOT / "problems" / "mazur.yaml")])
    parser.add_argument("--chromium", default=None, help="path of the chromium binary")
    parser.add_argument("--screenshot", default=None, help="also save a PNG of the page (one problem only)")
    args = parser.parse_args()
    if args.screenshot and len(args.problems) > 1:
        parser.error("--screenshot takes one problem")
    chromium = args.chromium or find_chromium()
    missing = [str(s) for s in (*SCRIPTS, STYLE) if not s.exists()]
    if not chromium or missing:
        print("browser check: " + ("chromium not found (apt-get install chromium)" if not chromium else
                                   f"run scripts/setup-js.sh first; missing {', '.join(missing)}"), file=sys.stderr)
        return 2
    from backprop_cli.errors import BackpropError

    try:
        documents = [markdown_of(p) for p in args.problems]
    except BackpropError as e:
        print(f"browser check: Error: {e}", file=sys.stderr)
        return 1
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        results = list(pool.map(lambda md: check_markdown(md, chromium, args.screenshot), documents))
    for problem, (summary, problems) in zip(args.problems, results):
        print(f"browser check: {problem}: {summary}")
        for p in problems:
            print(f"browser check: {problem}: {p}", file=sys.stderr)
    return 1 if any(problems for _, problems in results) else 0


if __name__ == "__main__":
    sys.exit(main())
