"use strict";
// The sliding-window rate behind "1.2k msg/s", and the ticker that refreshes a status only when the figure changes.
const assert = require("assert");
const { lib, waitFor } = require("../../helpers");
const { RateWindow } = lib("metrics/rate.js");
const { RateTicker } = lib("metrics/rate-ticker.js");

describe("metrics: status rate over a sliding window", function () {
  it("is the growth of the total over the last window ticks, per tick", function () {
    const w = new RateWindow(5);
    assert.strictEqual(w.sample(100), 0, "one sample: no rate yet");
    assert.strictEqual(w.sample(110), 10);
    assert.strictEqual(w.sample(130), 15, "over the two ticks seen so far");
    for (const t of [140, 150, 160]) w.sample(t);
    assert.strictEqual(w.rate(), 12, "(160 - 100) / 5: six samples span the window of five ticks");
    assert.strictEqual(w.sample(200), 18, "(200 - 110) / 5: the oldest sample left the window");
    for (let i = 0; i < 5; i++) w.sample(200);
    assert.strictEqual(w.rate(), 0, "quiet for a whole window: 0");
  });

  it("the ticker asks for a refresh when the shown figure changes, to and from nothing, and not otherwise", async function () {
    let total = 0;
    let refreshes = 0;
    const ticker = new RateTicker(
      () => total,
      () => refreshes++,
      20,
      2,
    );
    try {
      assert.strictEqual(ticker.text(), "");
      total = 10; // 10 per 20 ms tick: 500/s
      await waitFor(() => ticker.text() !== "", "a rate");
      assert.ok(/^\d/.test(ticker.text()), ticker.text());
      const seen = refreshes;
      assert.ok(seen >= 1);
      await waitFor(() => ticker.text() === "", "the rate back to nothing once the total stops growing");
      const quiet = refreshes;
      await new Promise((r) => setTimeout(r, 100));
      assert.strictEqual(refreshes, quiet, "no refresh while nothing changes");
    } finally {
      ticker.stop();
    }
  });
});
