// Which Chromium the editor tests drive (playwright-core never downloads one):
//
//   TCPA_CHROMIUM=/path/to/chromium   that binary
//   TCPA_CHROMIUM=npm                 the Chromium shipped in the npm package @sparticuz/chromium
//                                     (CI runs the editor tests this way too, beside Debian's)
//   unset                             Debian's /usr/bin/chromium when it exists, else the npm one
//
// The npm package holds a brotli-packed chrome-headless-shell (no download at
// install); it is unpacked once per package version into
// <tmpdir>/tcpa-sparticuz-chromium-<version>/ (about 210 MB) and reused.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");

const DEBIAN = "/usr/bin/chromium";
const NPM = "@sparticuz/chromium";

/**
 * Our flags, the same for every binary, so the runs differ only in the browser. Without the
 * background-networking ones Chromium keeps dialling out, and a closed network refuses it.
 *
 * None of @sparticuz/chromium's own `args` are taken: they are for AWS Lambda and would make
 * a different browser from the one a user runs. --single-process and --no-zygote (Lambda's
 * prctl restriction; one process for a persistent context with several pages is fragile),
 * --in-process-gpu, --use-gl=angle, --use-angle=swiftshader, --ignore-gpu-blocklist (WebGL,
 * which the editor does not use: --disable-gpu instead; playwright-core adds
 * --enable-unsafe-swiftshader to every launch itself),
 * --disable-web-security, --allow-running-insecure-content, --disable-site-isolation-trials,
 * --disable-features=IsolateOrigins,site-per-process (would switch off the security a user's
 * browser has), --font-render-hinting=none (renders text unlike Debian's chromium). Its binary
 * is a headless shell: it needs no flag beyond ours (--headless, --no-sandbox for root).
 */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The version in the package.json of the package that holds `file` (the nearest one named NPM above it). */
function packageVersion(file) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const p = path.join(dir, "package.json");
    if (fs.existsSync(p)) {
      const pkg = JSON.parse(fs.readFileSync(p, "utf8"));
      if (pkg.name === NPM) return pkg.version;
    }
  }
  throw new Error(`no package.json of ${NPM} above ${file}`);
}

/**
 * The npm package's Chromium, unpacked. The package unpacks into os.tmpdir() itself (a shared
 * /tmp/chromium that it reuses whatever version left it there), so it is pointed at a fresh
 * folder that is renamed into place when complete: a stale or half-written binary is never used,
 * and parallel runs do not step on each other.
 */
async function npmChromium() {
  let pkg;
  try {
    pkg = (await import(NPM)).default;
  } catch (e) {
    throw new Error(`the npm package ${NPM} is not installed (npm ci installs it, a devDependency): ${e.message}`);
  }
  const version = packageVersion(require.resolve(NPM));
  const dir = path.join(os.tmpdir(), `tcpa-sparticuz-chromium-${version}`);
  const executablePath = path.join(dir, "chromium");
  if (!fs.existsSync(executablePath)) {
    const part = fs.mkdtempSync(`${dir}.part-`);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = part; // os.tmpdir() reads it on every call
    try {
      await pkg.executablePath();
    } catch (e) {
      fs.rmSync(part, { recursive: true, force: true });
      throw new Error(`${NPM} ${version} could not unpack its Chromium into ${part}: ${e.message}`);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    try {
      fs.renameSync(part, dir);
    } catch (e) {
      fs.rmSync(part, { recursive: true, force: true });
      if (!fs.existsSync(executablePath)) throw e; // else another run unpacked it first
    }
  }
  // The package ships Open Sans for machines without fonts; the system's fonts are used when it has them.
  let env;
  if (!fs.existsSync("/etc/fonts/fonts.conf")) {
    const conf = path.join(dir, "fonts.conf");
    fs.writeFileSync(
      conf,
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${path.join(dir, "fonts", "fonts")}</dir>` +
        `<cachedir>${path.join(dir, "fonts-cache")}</cachedir></fontconfig>\n`,
    );
    env = { ...process.env, FONTCONFIG_FILE: conf };
  }
  return { executablePath, args: ARGS, env, source: `the npm package ${NPM} ${version}` };
}

/** { executablePath, args, env, source }: the Chromium to drive (see above); `source` says where it came from. */
async function pickChromium() {
  const want = process.env.TCPA_CHROMIUM;
  if (want === "npm") return npmChromium();
  if (want) {
    if (!fs.existsSync(want)) throw new Error(`TCPA_CHROMIUM=${want}: there is no such file`);
    return { executablePath: want, args: ARGS, source: `TCPA_CHROMIUM=${want}` };
  }
  if (fs.existsSync(DEBIAN)) return { executablePath: DEBIAN, args: ARGS, source: "Debian's chromium" };
  return npmChromium();
}

/** The shared libraries `executablePath` needs that this machine lacks, as a sentence (empty when none or no ldd). */
function missingLibraries(executablePath) {
  const r = spawnSync("ldd", [executablePath], { encoding: "utf8" });
  const missing = (r.stdout || "")
    .split("\n")
    .filter((l) => /not found/.test(l))
    .map((l) => l.trim().split(/\s/)[0]);
  // The npm package's Chromium links only glibc, libnss3/libnssutil3/libnspr4/libplc4/libplds4 and libexpat.
  return missing.length
    ? `\nshared libraries it needs are missing here: ${missing.join(", ")} (Debian: apt-get install -y libnss3 libexpat1)`
    : "";
}

/**
 * playwright-core's chromium.launchPersistentContext on `browser` (from pickChromium), headless, with its
 * flags; `options` adds the rest (viewport, locale, ...). A failure says which binary it tried and why.
 */
async function launchPersistentContext(browser, profile, options = {}) {
  const { chromium } = require("playwright-core");
  try {
    return await chromium.launchPersistentContext(profile, {
      ...options,
      executablePath: browser.executablePath,
      headless: true,
      args: browser.args,
      ...(browser.env ? { env: browser.env } : {}),
    });
  } catch (e) {
    throw new Error(`${browser.source} (${browser.executablePath}) did not start: ${e.message}${missingLibraries(browser.executablePath)}`);
  }
}

module.exports = { pickChromium, launchPersistentContext, ARGS };
