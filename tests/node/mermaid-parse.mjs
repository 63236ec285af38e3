// Parses Mermaid files with mermaid's own parser (the one GitHub's renderer runs), in a jsdom window since
// mermaid expects a DOM. Usage: node mermaid-parse.mjs FILE...; prints one line a file, exits 1 if any fails.
import { JSDOM } from "jsdom";
import { readFileSync } from "node:fs";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, "utf8"));
    console.log(`ok ${file} (${result.diagramType})`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${file}: ${String(error?.message ?? error)}`);
  }
}
process.exit(failed ? 1 : 0);
