"use strict";
// How long a node's close may take: after its drain bound, longer with kept jobs, always inside Node-RED's 15 s.
const assert = require("assert");
const { closeGuardMs } = require("../../helpers").lib("journal/index.js");

describe("close guard", function () {
  it("ends half a second after the drain bound; with kept jobs, 5 s more for the journal's last sync", function () {
    assert.strictEqual(closeGuardMs(2000, false), 2500);
    assert.strictEqual(closeGuardMs(2000, true), 7500);
    assert.strictEqual(closeGuardMs(-1, false), 500, "a bound below 0 reads as 0");
  });

  it("never reaches the 15 s after which Node-RED goes on without the node, whatever the settings", function () {
    for (const drain of [0, 9500, 13500, 14000, 60000])
      for (const kept of [false, true]) assert.ok(closeGuardMs(drain, kept) < 15000, `${drain} ms, kept ${kept}`);
  });
});
