"use strict";
const assert = require("assert");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const { toBytes, PayloadError } = lib("outbound/payload.js");

const bytes = (v, enc = "auto") => [...toBytes(v, enc)];
const text = (v, enc = "auto") => toBytes(v, enc).toString("utf8");

function problem(v) {
  try {
    toBytes(v, "auto");
    return "ok";
  } catch (err) {
    assert.ok(err instanceof PayloadError, `not a PayloadError: ${err}`);
    assert.strictEqual(err.code, "EPAYLOAD");
    return `${err.problem}:${err.kind}`;
  }
}

describe("outbound payload: value to bytes", function () {
  it("Buffers and byte arrays go as they are, whatever the encoding", function () {
    const b = Buffer.from([0, 0xff, 0x80, 0x0a]);
    assert.strictEqual(toBytes(b, "utf16le"), b);
    assert.deepStrictEqual(bytes(new Uint8Array([1, 2, 3]), "cp437"), [1, 2, 3]);
    assert.deepStrictEqual(bytes(new Uint8Array([9, 1, 2, 3]).subarray(1)), [1, 2, 3]);
    assert.deepStrictEqual(bytes(new Uint8Array([4, 5]).buffer), [4, 5]);
    assert.deepStrictEqual(bytes(JSON.parse(JSON.stringify(b))), [0, 0xff, 0x80, 0x0a], "a Buffer that went through JSON");
  });

  it("strings are encoded: auto is UTF-8, or any iconv-lite encoding", function () {
    assert.deepStrictEqual(bytes("€ü"), [0xe2, 0x82, 0xac, 0xc3, 0xbc]);
    assert.deepStrictEqual(bytes("€ü", "windows-1252"), [0x80, 0xfc]);
    assert.deepStrictEqual(bytes("ü╔", "cp437"), [0x81, 0xc9]);
    assert.deepStrictEqual(bytes("A", "utf16le"), [0x41, 0]);
    assert.deepStrictEqual(bytes(""), []);
    assert.throws(() => toBytes("x", "no-such-encoding"), { code: "EENCODING" });
  });

  it("numbers, booleans and dates become their text; objects and arrays JSON", function () {
    assert.strictEqual(text(42), "42");
    assert.strictEqual(text(-1.5), "-1.5");
    assert.strictEqual(text(true), "true");
    assert.strictEqual(text(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), "2024-01-02T03:04:05.000Z");
    assert.strictEqual(text({ a: 1, b: ["x", null] }), '{"a":1,"b":["x",null]}');
    assert.strictEqual(text([1, "€"]), '[1,"€"]');
    assert.strictEqual(text(Object.assign(Object.create(null), { k: 1 })), '{"k":1}');
    assert.strictEqual(text({ toJSON: () => ({ v: 2 }) }), '{"v":2}');
    assert.deepStrictEqual(bytes({ t: "€" }, "windows-1252"), [...Buffer.from('{"t":"'), 0x80, ...Buffer.from('"}')]);
  });

  it("everything else is a clear EPAYLOAD error naming what it got", function () {
    const circular = { a: 1 };
    circular.self = circular;
    class Label {
      constructor() {
        this.x = 1;
      }
    }
    assert.strictEqual(problem(undefined), "undefined:undefined");
    assert.strictEqual(problem(null), "null:null");
    assert.strictEqual(problem(NaN), "not-finite:number");
    assert.strictEqual(problem(-Infinity), "not-finite:number");
    assert.strictEqual(problem(10n), "type:bigint");
    assert.strictEqual(
      problem(() => 1),
      "type:function",
    );
    assert.strictEqual(problem(Symbol("s")), "type:symbol");
    assert.strictEqual(problem(new Map([[1, 2]])), "type:Map");
    assert.strictEqual(problem(new Set([1])), "type:Set");
    assert.strictEqual(problem(new Label()), "type:Label");
    assert.strictEqual(problem(circular), "json:Object");
    assert.strictEqual(problem({ big: 1n }), "json:Object");
    assert.strictEqual(problem(new Date(NaN)), "not-finite:Date");
  });

  it("any string survives auto (UTF-8) and utf16le", function () {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        assert.strictEqual(toBytes(s, "auto").toString("utf8"), s);
        assert.strictEqual(toBytes(s, "utf16le").toString("utf16le"), s);
      }),
    );
  });

  it("any JSON object or array comes back equal from the bytes; any JSON number as its text", function () {
    fc.assert(
      fc.property(fc.json(), (json) => {
        const v = JSON.parse(json);
        const sent = toBytes(v === null ? "null" : v, "auto").toString("utf8");
        if (typeof v === "object" && v !== null) assert.deepEqual(JSON.parse(sent), v);
        else if (typeof v === "number") assert.strictEqual(sent, String(v));
        else if (typeof v === "string") assert.strictEqual(sent, v, "a string is sent as it is, not as JSON");
      }),
    );
  });
  it("values from another realm (a Function node's vm context) convert exactly like ours", function () {
    const vm = require("vm");
    const other = (code) => vm.runInNewContext(code);
    assert.notStrictEqual(Object.getPrototypeOf(other("({})")), Object.prototype, "the test really crosses realms");
    assert.strictEqual(text(other("({a: 1, b: [1, 'x']})")), '{"a":1,"b":[1,"x"]}');
    assert.strictEqual(text(other("[1, {c: null}]")), '[1,{"c":null}]');
    assert.strictEqual(text(other("Object.assign(Object.create(null), {k: 1})")), '{"k":1}');
    assert.deepStrictEqual(bytes(other("new Uint8Array([7, 8, 9]).subarray(1)")), [8, 9]);
    assert.deepStrictEqual(bytes(other("new Uint8Array([4, 5]).buffer")), [4, 5]);
    assert.strictEqual(text(other("new Date(0)")), "1970-01-01T00:00:00.000Z");
    assert.strictEqual(problem(other("new Date(NaN)")), "not-finite:Date");
    assert.strictEqual(problem(other("new Map([[1, 2]])")), "type:Map");
    assert.strictEqual(problem(other("new Set([1])")), "type:Set");
    assert.strictEqual(problem(other("new (class Thing {})()")), "type:Thing");
    assert.strictEqual(text(other("({toJSON() { return 'custom'; }})")), '"custom"');
  });
});
