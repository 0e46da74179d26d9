#!/usr/bin/env python3
"""Open an exported markdown solution in headless Chromium with KaTeX and mermaid; fail on any error.

Usage: python scripts/browser_check.py [problems/mazur.yaml] [--screenshot page.png]
Needs Debian's chromium and the npm packages from scripts/setup-js.sh; loads nothing from the network.
Exit codes: 0 the page rendered cleanly, 1 it did not, 2 chromium or the npm packages are missing.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "tests" / "js" / "node_modules"
SCRIPTS = (MODULES / "katex" / "dist" / "katex.min.js", MODULES / "mermaid" / "dist" / "mermaid.min.js")
STYLE = MODULES / "katex" / "dist" / "katex.min.css"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--disable-extensions", "--mute-audio", "--virtual-time-budget=30000"]

PAGE_SCRIPT = """
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
  report.katexErrorNodes = document.querySelectorAll(".katex-error").length;
  report.mermaidSvgs = document.querySelectorAll(".mermaid svg").length;
  report.mermaidNodes = document.querySelectorAll(".mermaid svg g.node").length;
  report.mermaidEdgeLabels = document.querySelectorAll(".mermaid svg .edgeLabel").length;
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


def check(problem: str, chromium: str, screenshot: str | None = None) -> list[str]:
    """Render the page and return what went wrong (nothing when it rendered cleanly)."""
    page, counts = to_html(markdown_of(problem))
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
        return [f"no report in the page (chromium exit {run.returncode}): {run.stderr.strip()[-600:]}"]
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
    print(f"browser check: {problem}: {report['katex']} KaTeX snippets, {report['mermaidSvgs']} diagram(s) with "
          f"{report['mermaidNodes']} nodes and {report['mermaidEdgeLabels']} edge labels")
    return problems


def main() -> int:
    """Run the check; print what went wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem", nargs="?", default=str(ROOT / "problems" / "mazur.yaml"))
    parser.add_argument("--chromium", default=None, help="path of the chromium binary")
    parser.add_argument("--screenshot", default=None, help="also save a PNG of the page")
    args = parser.parse_args()
    chromium = args.chromium or find_chromium()
    missing = [str(s) for s in (*SCRIPTS, STYLE) if not s.exists()]
    if not chromium or missing:
        print("browser check: " + ("chromium not found (apt-get install chromium)" if not chromium else
                                   f"run scripts/setup-js.sh first; missing {', '.join(missing)}"), file=sys.stderr)
        return 2
    problems = check(args.problem, chromium, args.screenshot)
    for p in problems:
        print(f"browser check: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
