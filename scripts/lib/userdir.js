// Prepares a Node-RED user directory that loads this package the way an
// installed one is loaded: as a module in <userDir>/node_modules (a symlink
// to this checkout), so its examples, icons and catalogs are found too.
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..", "..");
const PKG = require(path.join(ROOT, "package.json"));

function linkPackage(userDir) {
  const target = path.join(userDir, "node_modules", ...PKG.name.split("/"));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  let current;
  try {
    current = fs.readlinkSync(target);
  } catch {
    current = undefined;
  }
  if (current !== ROOT) {
    fs.rmSync(target, { recursive: true, force: true });
    fs.symlinkSync(ROOT, target, "dir");
  }
  const pkgFile = path.join(userDir, "package.json");
  if (!fs.existsSync(pkgFile)) {
    fs.writeFileSync(pkgFile, JSON.stringify({ name: "node-red-project", private: true, description: "local dev user dir" }, null, 2));
  }
  return target;
}

module.exports = { ROOT, PKG, linkPackage };
