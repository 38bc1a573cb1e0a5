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
});
