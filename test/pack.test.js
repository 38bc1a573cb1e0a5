"use strict";
// What `npm pack` ships (prepack runs the build): the editor script the build
// generates into resources/ (git-ignored) is in it, the build's leftovers are not.
const assert = require("assert");
const { execFileSync } = require("child_process");
const { ROOT } = require("../scripts/lib/userdir");

describe("the npm package", function () {
  this.timeout(30000);
  it("ships the built editor script, the compiled nodes and no intermediate build output", function () {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const files = JSON.parse(out)[0].files.map((f) => f.path);
    for (const f of [
      "resources/editor-common.js",
      "dist/nodes/tcp-server-trigger.js",
      "dist/nodes/tcp-server-trigger.html",
      "dist/nodes/lib/schema/index.js",
    ])
      assert.ok(files.includes(f), f);
    assert.deepStrictEqual(
      files.filter((f) => f.startsWith("dist/.editor") || f.startsWith("nodes/")),
      [],
    );
  });
});
