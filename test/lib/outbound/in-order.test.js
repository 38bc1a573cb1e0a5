"use strict";
const assert = require("assert");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const { InOrder } = lib("outbound/in-order.js");

describe("in-order gate", function () {
  it("runs steps in ticket order whatever order they complete in", function () {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })),
        (completion) => {
          const gate = new InOrder();
          const tickets = completion.map(() => gate.take());
          const ran = [];
          for (const i of completion) gate.complete(tickets[i], () => ran.push(i));
          assert.deepStrictEqual(ran, [...completion.keys()]);
          assert.strictEqual(gate.waiting, 0);
        },
      ),
    );
  });

  it("a step that throws does not hold up the later ones", function () {
    const gate = new InOrder();
    const [a, b, c] = [gate.take(), gate.take(), gate.take()];
    const ran = [];
    gate.complete(c, () => ran.push("c"));
    gate.complete(b, () => {
      throw new Error("b failed");
    });
    assert.throws(() => gate.complete(a, () => ran.push("a")), /b failed/);
    assert.deepStrictEqual(ran, ["a", "c"]);
    assert.strictEqual(gate.waiting, 0);
  });

  it("first(): arrivals after an asynchronous start wait for it; its outcome runs first; a step that throws is reported", async function () {
    const gate = new InOrder();
    const ran = [];
    const reported = [];
    /** @type {(v: string) => void} */
    let open = () => undefined;
    gate.first(
      new Promise((r) => (open = r)),
      (v) => {
        ran.push(`kept ${v}`);
        throw new Error("restore failed");
      },
      (err) => ran.push(`failed ${err}`),
      (err) => reported.push(err.message),
    );
    gate.complete(gate.take(), () => ran.push("new 1"));
    gate.complete(gate.take(), () => ran.push("new 2"));
    assert.deepStrictEqual(ran, [], "new arrivals wait for the start");
    open("3 jobs");
    await new Promise((r) => setImmediate(r));
    assert.deepStrictEqual(ran, ["kept 3 jobs", "new 1", "new 2"]);
    assert.deepStrictEqual(reported, ["restore failed"]);

    const failedGate = new InOrder();
    const seen = [];
    failedGate.first(
      Promise.reject(new Error("EPERSIST")),
      () => seen.push("ok"),
      (err) => seen.push(err.message),
      () => undefined,
    );
    failedGate.complete(failedGate.take(), () => seen.push("new"));
    await new Promise((r) => setImmediate(r));
    assert.deepStrictEqual(seen, ["EPERSIST", "new"]);
  });
});
