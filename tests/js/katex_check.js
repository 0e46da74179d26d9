// Render every {tex, display} snippet read from stdin (a JSON array) with KaTeX, throwOnError and
// strict mode on; print a JSON array of the failures ({index, tex, error}); exit 0 either way.
"use strict";
const katex = require("katex");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const snippets = JSON.parse(input);
  const failures = [];
  snippets.forEach((s, index) => {
    try {
      katex.renderToString(s.tex, { displayMode: s.display, throwOnError: true, strict: "error" });
    } catch (e) {
      failures.push({ index, tex: s.tex, error: String(e.message || e) });
    }
  });
  process.stdout.write(JSON.stringify({ version: katex.version, checked: snippets.length, failures }));
});
