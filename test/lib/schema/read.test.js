"use strict";
// readProps (runtime) and checkProp / rowShown (editor) over one small schema:
// conditions, properties that bound each other, defaults and messages.
const assert = require("assert");
const { lib } = require("../../helpers");
const S = lib("schema/index.js");

const ENV = { knowsEncoding: (n) => n === "utf8" };
const TEST = {
  mode: S.choice({ value: "a", values: ["a", "b"], message: "choice" }),
  max: S.whole({ value: 10, min: 1, max: 100, message: "positive" }),
  n: S.whole({ value: 1, min: 1, max: (p) => p.value("max"), when: (p) => p.value("mode") === "b", message: "n" }),
  enc: S.encoding({ value: "auto", message: "encoding", shown: (p) => p.value("mode") === "a" }),
};

describe("schema: reading properties", function () {
  it("readProps: defaults for what is absent, nothing for a row that does not apply", function () {
    assert.deepStrictEqual(S.readProps(TEST, {}, ENV), { mode: "a", max: 10, n: undefined, enc: "auto" });
    assert.deepStrictEqual(S.readProps(TEST, { mode: "b", n: "7", enc: " UTF8 " }, ENV), { mode: "b", max: 10, n: 7, enc: "utf8" });
  });

  it("readProps: the first refused property, by its key and the stored value", function () {
    assert.throws(
      () => S.readProps(TEST, { mode: "b", n: "11" }, ENV),
      (/** @type {any} */ e) => e.name === "ConfigError" && e.key === "n" && e.detail === "11",
    );
    assert.throws(
      () => S.readProps(TEST, { mode: "c", n: "x" }, ENV),
      (/** @type {any} */ e) => e.key === "mode" && e.detail === "c",
    );
    assert.throws(
      () => S.readProps(TEST, { enc: "klingon" }, ENV),
      (/** @type {any} */ e) => e.key === "enc",
    );
    assert.doesNotThrow(() => S.readProps(TEST, { mode: "a", n: "junk" }, ENV), "n does not apply in mode a");
  });

  it("checkProp: the message key of a refused value, with the other properties as stored", function () {
    const stored = { mode: "b", max: "5" };
    const get = (name) => stored[name];
    assert.strictEqual(S.checkProp(TEST, "n", "6", get, ENV), "n");
    assert.strictEqual(S.checkProp(TEST, "n", "5", get, ENV), undefined);
    assert.strictEqual(
      S.checkProp(TEST, "n", "6", (name) => ({ mode: "a" })[name], ENV),
      undefined,
      "not applicable",
    );
    assert.strictEqual(
      S.checkProp(TEST, "n", "500", (name) => ({ mode: "b", max: "junk" })[name], ENV),
      undefined,
      "no bound while max is refused",
    );
    assert.strictEqual(S.checkProp(TEST, "max", "0", get, ENV), "positive");
    assert.strictEqual(S.checkProp(TEST, "unknown", "x", get, ENV), undefined);
  });

  it("rowShown: shown defaults to when", function () {
    assert.strictEqual(
      S.rowShown(TEST, "n", (name) => ({ mode: "b" })[name], ENV),
      true,
    );
    assert.strictEqual(
      S.rowShown(TEST, "n", (name) => ({ mode: "a" })[name], ENV),
      false,
    );
    assert.strictEqual(
      S.rowShown(TEST, "enc", (name) => ({ mode: "b" })[name], ENV),
      false,
    );
    assert.strictEqual(
      S.rowShown(TEST, "max", () => undefined, ENV),
      true,
    );
  });

  it("number text as Number() reads it; blanks (and an empty array) are 0; absent, null and empty are the default", function () {
    const w = S.whole({ value: 7, min: 0, max: 2000, message: "m" });
    const read = (v) => S.readProps({ w }, { w: v }, ENV).w;
    assert.deepStrictEqual(
      [read("1e3"), read("0x10"), read("5.0"), read(" 8 "), read("  "), read([]), read(undefined), read(null), read("")],
      [1000, 16, 5, 8, 0, 0, 7, 7, 7],
    );
    for (const bad of ["1.5", "abc", -1, 2001, true, {}])
      assert.throws(
        () => read(bad),
        (/** @type {any} */ e) => e.key === "w",
        JSON.stringify(bad),
      );
  });

  it("a choice is read by its text; a checkbox only by an explicit true (or false when on by default)", function () {
    const c = S.choice({ value: "x", values: ["x", "y"], message: "m" });
    const on = S.bool({ value: true });
    const off = S.bool({ value: false });
    const read = (prop, v) => S.readProps({ prop }, { prop: v }, ENV).prop;
    assert.deepStrictEqual([read(c, null), read(c, ""), read(c, "y"), read(c, ["y"])], ["x", "x", "y", "y"]);
    assert.throws(
      () => read(c, []),
      (/** @type {any} */ e) => e.detail === "",
    );
    assert.deepStrictEqual(
      [true, "true", false, "false", undefined, "yes", 1].map((v) => [read(on, v), read(off, v)]),
      [
        [true, true],
        [true, true],
        [false, false],
        [false, false],
        [true, false],
        [true, false],
        [true, false],
      ],
    );
  });
});
