#!/usr/bin/env node
// Usage: node summarize.mjs <out-dir>   (reads <out-dir>/results.txt and <out-dir>/logs/*-tests.log)
import { readFileSync, existsSync } from "node:fs";
const dir = process.argv[2];
const lines = readFileSync(`${dir}/results.txt`, "utf8").split("\n");
const rows = [];
for (let i = 0; i + 1 < lines.length && lines[i] !== "" && lines[i] !== "---"; i += 2) {
  const id = lines[i], r = lines[i + 1];
  rows.push({ id, pass: [...r].filter((c) => c === ".").length, fail: [...r].filter((c) => c === "X").length, r });
}
const P = rows.reduce((a, r) => a + r.pass, 0), T = rows.reduce((a, r) => a + r.pass + r.fail, 0);
const suitesOk = rows.filter((r) => r.fail === 0 && r.pass > 0).length;
console.log(`# ${dir}\n\nTests: ${P}/${T} passed; suites fully passing: ${suitesOk}/${rows.length}\n`);
console.log("| suite | passed | total | failing tests |\n|---|---|---|---|");
for (const r of rows) {
  const failing = [...r.r].map((c, i) => (c === "X" ? `${r.id}_${i}` : null)).filter(Boolean);
  // a suite with 0 results means the test file itself failed (e.g. tests could not be fetched)
  console.log(`| ${r.id} | ${r.pass} | ${r.pass + r.fail} | ${r.pass + r.fail === 0 ? "NO RESULTS" : failing.join(", ")} |`);
}
const status = (id) => (existsSync(`${dir}/suites/${id}/compose.status`) ? readFileSync(`${dir}/suites/${id}/compose.status`, "utf8").trim() : null);
const bad = rows.map((r) => [r.id, status(r.id)]).filter(([, s]) => s && s !== "ok");
if (bad.length) console.log(`\nComposition failed (router compose) for: ${bad.map(([id, s]) => `${id} [${s}]`).join(", ")}`);
