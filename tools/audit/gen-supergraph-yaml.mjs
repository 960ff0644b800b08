#!/usr/bin/env node
// Usage: node gen-supergraph-yaml.mjs <subgraphs.json> [federation_version]
// Converts the audit's /<suite>/subgraphs JSON ([{name,url,sdl}]) into a rover-format supergraph.yaml
// in which every subgraph is introspected (`_service { sdl }`) from its routing URL.
import { readFileSync } from "node:fs";
const [file, fedVersion = "=2.3.2"] = process.argv.slice(2);
const subgraphs = JSON.parse(readFileSync(file, "utf8"));
const q = (s) => JSON.stringify(s); // JSON strings are valid YAML double-quoted scalars
let out = `federation_version: ${q(fedVersion)}\nsubgraphs:\n`;
for (const { name, url } of subgraphs) {
  out += `  ${q(name)}:\n    routing_url: ${q(url)}\n    schema:\n      subgraph_url: ${q(url)}\n`;
}
process.stdout.write(out);
