"use strict";
// The status throttle: what the editor sees of a busy node.
const assert = require("assert");
const { ThrottledStatus } = require("../../helpers").lib("base/status-throttle.js");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function recorder() {
  const shown = [];
  return { shown, node: { status: (s) => shown.push(s.text) } };
}

describe("throttled status", function () {
  it("shows the first state at once, then at most one per interval, always ending on the newest", async function () {
    const { shown, node } = recorder();
    const s = new ThrottledStatus(node, 60);
    s.update(() => ({ text: "a" }));
    assert.deepStrictEqual(shown, ["a"], "the first update is shown at once");
    for (let i = 0; i < 1000; i++) s.update(() => ({ text: `b${i}` }));
    assert.deepStrictEqual(shown, ["a"], "updates inside the interval wait");
    await sleep(100);
    assert.deepStrictEqual(shown, ["a", "b999"], "the newest of them is shown when the interval ends");
    await sleep(100);
    assert.deepStrictEqual(shown, ["a", "b999"], "nothing more without updates");
    s.update(() => ({ text: "c" }));
    assert.deepStrictEqual(shown, ["a", "b999", "c"], "a quiet node shows its next update at once");
    s.stop();
  });

  it("make() runs only for states that are shown", async function () {
    const { node } = recorder();
    const s = new ThrottledStatus(node, 40);
    let made = 0;
    const make = () => ({ text: String(++made) });
    for (let i = 0; i < 500; i++) s.update(make);
    await sleep(80);
    assert.strictEqual(made, 2);
    s.stop();
  });

  it("now() shows at once, drops what was pending and holds later updates for an interval", async function () {
    const { shown, node } = recorder();
    const s = new ThrottledStatus(node, 60);
    s.update(() => ({ text: "a" }));
    s.update(() => ({ text: "pending" }));
    s.now({ text: "error" });
    assert.deepStrictEqual(shown, ["a", "error"]);
    s.update(() => ({ text: "after" }));
    assert.deepStrictEqual(shown, ["a", "error"], "an error stays visible for an interval");
    await sleep(100);
    assert.deepStrictEqual(shown, ["a", "error", "after"]);
    s.stop();
  });

  it("stop() leaves no timer and shows nothing more", async function () {
    const { shown, node } = recorder();
    const s = new ThrottledStatus(node, 30);
    s.update(() => ({ text: "a" }));
    s.update(() => ({ text: "b" }));
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    s.stop();
    assert.strictEqual(timers(), before - 1, "its timer is gone");
    await sleep(60);
    assert.deepStrictEqual(shown, ["a"]);
  });
});
