"use strict";
// Editor and runtime accept and refuse the same stored values. The editor side
// is the real editor script (resources/editor-common.js, as the build makes it
// for the browser) run in a vm: the validators of the node definitions it
// registers, as Node-RED calls them. The runtime side is what the nodes parse
// at start (test/helpers/parsed-config.js). For each node, random values for
// each validated property (numbers in and out of range, numeric text, blanks,
// junk, empty, absent, other types), alone and all at once, with the properties
// their rows depend on (mode, framing, output, TLS, ...) random too:
//   the editor marks no property <=> the runtime takes the configuration, and
//   a property the runtime names is one the editor marks.
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const fc = require("fast-check");
const iconv = require("iconv-lite");
const { lib } = require("../helpers");
const { parsedConfig } = require("../helpers/parsed-config");
const { loadEditorScript, invalidProps } = require("../helpers/editor-script");
const { NODE_SCHEMAS } = lib("schema/index.js");

const RUNS = Number(process.env.AGREEMENT_RUNS || 150);
const ROOT = path.join(__dirname, "..", "..");
const catalogs = {};
/** The editor shows validators' results as they are: each must be a key of the node's validation messages. */
function hasMessage(type, key) {
  catalogs[type] ??= JSON.parse(fs.readFileSync(path.join(ROOT, "locales", "en-US", `${type}.json`), "utf8"));
  const m = /^([\w-]+)\.validation\.([\w-]+)$/.exec(String(key));
  return m !== null && m[1] === type && typeof catalogs[type][type].validation[m[2]] === "string";
}

/** A stored node every check takes (the editor's defaults, plus what a new bridge must still be given). */
const BASE = {
  "tcp-server-trigger": {},
  "send-to-tcp-port": {},
  "tcp-server-client-bridge": { peerHost: "127.0.0.1" },
  "tcp-client-link": { host: "127.0.0.1", port: "502" },
};

const texts = [
  "",
  " ",
  "  \t",
  "0",
  "1",
  "-1",
  "1.5",
  "0.1",
  ".5",
  "1e3",
  "0x10",
  "0b11",
  "5.0",
  "+5",
  " 7 ",
  "1_000",
  "Infinity",
  "NaN",
  "abc",
  "true",
  "false",
  "null",
  "65535",
  "65536",
  "2147483647",
  "2147483648",
  "1000000",
  "1000001",
  "10000000",
  "14000",
  "14001",
  "2147483",
  "2147484",
  "1048576",
  "localhost",
  "printer-1.lab",
  "bad host!",
  "-bad",
  "10.0.0.5",
  "256.1.1.1",
  "::1",
  "[::1]",
  "[::1",
  "fe80::1%eth0",
  "[:::]",
  "h:9100",
  "h:",
  ":9100",
  "h:0x10",
  "[::1]:9100",
  "[::1]x",
  "a:b:c",
  "\\n",
  "\\r\\n",
  "END\\x03",
  "\\q",
  "\\x0",
  "\\",
  "\\\\",
  "\\0",
  "10.0.0.0/8",
  "10.0.0.0/33",
  "2001:db8::/32",
  "::ffff:10.0.0.0/104",
  "::ffff:10.0.0.0/64",
  "[1.2.3.4",
  "10.0.0.1, 10.0.0.2",
  "10.0.0.1 # me\n::1",
  "nope",
  "reply",
  "msg.printer.status",
  "items[0].ack",
  "a..b",
  "msg.",
  "1abc",
  "utf8",
  "UTF-8",
  " Windows-1252 ",
  "klingon",
  "constructor",
  "__proto__",
  "auto",
  "utf-8:2000",
];
const interesting = fc.oneof(
  fc.constantFrom(...texts),
  fc.constantFrom(undefined, null, true, false, 0, 1, -1, 1.5, 0.05, NaN, Infinity, 65536, 2147483648, [], ["a"], {}),
  fc.integer({ min: -10, max: 70000 }),
  fc.integer({ min: -10, max: 70000 }).map(String),
  fc.double({ min: -5, max: 3e9 }).map((n) => (Math.random() < 0.5 ? n : String(n))),
  fc.string({ maxLength: 8 }),
);

/** Values for one property: its own options and bounds first, then anything interesting. */
function valuesOf(prop) {
  const own = [];
  if (prop.options) own.push(fc.constantFrom(...prop.options.values));
  for (const b of [prop.min, prop.max]) {
    if (typeof b === "number" && Number.isFinite(b)) own.push(fc.constantFrom(b - 1, b, b + 1, String(b - 1), String(b), String(b + 1)));
  }
  if (prop.value !== undefined) own.push(fc.constant(prop.value));
  return own.length ? fc.oneof({ weight: 2, arbitrary: fc.oneof(...own) }, { weight: 3, arbitrary: interesting }) : interesting;
}

/** The properties rows depend on, each given one of its own values or left as it is. */
const CONTEXT = [
  "mode",
  "event",
  "fieldCounts",
  "output",
  "after",
  "saveReply",
  "hostType",
  "portType",
  "dataType",
  "proxyProtocol",
  "tls",
  "maxFrame",
  "maxBuffer",
  "host",
  "connect",
  "backoffFirst",
  "heartbeat",
  "greeting",
  "greetingWait",
];
function contextOf(schema) {
  /** @type {Record<string, import("fast-check").Arbitrary<any>>} */
  const parts = {};
  for (const name of CONTEXT) {
    const prop = schema[name];
    if (!prop) continue;
    const own = prop.options
      ? fc.constantFrom(...prop.options.values)
      : name === "tls"
        ? fc.constantFrom("", "a-tls-config")
        : name === "saveReply"
          ? fc.boolean()
          : valuesOf(prop);
    parts[name] = fc.option(own, { nil: undefined, freq: 2 });
  }
  return fc.record(parts);
}

function runtimeVerdict(stored) {
  try {
    parsedConfig(stored);
    return { ok: true };
  } catch (err) {
    if (err.name !== "ConfigError") throw err;
    return { ok: false, key: err.key, detail: err.detail };
  }
}

function compare(type, schema, def, stored) {
  const marked = invalidProps(def, stored);
  const rt = runtimeVerdict(Object.assign({ type }, stored));
  const shown = JSON.stringify(stored, (_k, v) => (v === undefined ? "<undefined>" : v));
  assert.strictEqual(
    marked.length === 0,
    rt.ok,
    `${type} ${shown}: editor marks ${JSON.stringify(marked.map((m) => m.name))}, runtime ${rt.ok ? "takes it" : `refuses ${rt.key} (${rt.detail})`}`,
  );
  if (!rt.ok) {
    const keys = marked.map((m) => schema[m.name].key || m.name);
    assert.ok(
      keys.includes(rt.key),
      `${type} ${shown}: the runtime names ${rt.key}, the editor marks ${JSON.stringify(marked.map((m) => m.name))}`,
    );
  }
  for (const m of marked) assert.ok(hasMessage(type, m.message), `${m.name}: "${m.message}" is a catalog message`);
}

describe("editor and runtime agree on every stored value (the editor script in a vm)", function () {
  this.timeout(60000);
  const defs = loadEditorScript();

  it("encoding names: the editor's list from the build knows what iconv-lite knows", function () {
    const { isKnownEncoding } = lib("base/encoding.js");
    iconv.getCodec("utf8");
    const names = Object.keys(iconv.encodings);
    const validate = defs["tcp-server-trigger"].defaults.encoding.validate;
    const editorKnows = (name) => validate.call({ _: (k) => k }, name, {}) === true;
    const variants = (n) => [n, n.toUpperCase(), ` ${n} `, `${n}:2000`, n.replace(/(\d)/, "-$1"), `x${n}`];
    for (const name of names.flatMap(variants)) assert.strictEqual(editorKnows(name), isKnownEncoding(name), JSON.stringify(name));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom(...names).map((n) => n + "_"),
        ),
        (name) => editorKnows(name) === isKnownEncoding(name),
      ),
      { numRuns: 2000 },
    );
  });

  it("tcp-client-link: a host from the environment may carry the port, so an empty port is not marked; ${} is no reference", function () {
    const schema = NODE_SCHEMAS["tcp-client-link"];
    const base = Object.assign({}, ...Object.entries(schema).map(([n, p]) => ({ [n]: p.value })));
    const marked = (host, port) => invalidProps(defs["tcp-client-link"], Object.assign({}, base, { host, port })).map((m) => m.name);
    assert.deepStrictEqual(marked("${DEVICE}", ""), []);
    assert.deepStrictEqual(marked("10.0.0.5", ""), ["port"]);
    assert.deepStrictEqual(marked("${}", "502"), ["host"]);
  });

  for (const type of Object.keys(BASE)) {
    const schema = NODE_SCHEMAS[type];
    const def = defs[type];
    const validated = Object.keys(def.defaults).filter((n) => def.defaults[n].validate);

    it(`${type}: the editor validates exactly the properties the schema can refuse`, function () {
      assert.deepStrictEqual(
        validated,
        Object.keys(schema).filter((n) => schema[n].message),
      );
      const base = Object.assign({}, ...Object.entries(schema).map(([n, p]) => ({ [n]: p.value })), BASE[type]);
      assert.deepStrictEqual(invalidProps(def, base), [], "a new node is valid");
      assert.ok(runtimeVerdict(Object.assign({ type }, base)).ok, "and the runtime takes it");
    });

    it(`${type}: a field that is exactly \${NAME} is not marked (Node-RED puts the variable's value there at deploy)`, function () {
      const base = Object.assign({}, ...Object.entries(schema).map(([n, p]) => ({ [n]: p.value })), BASE[type]);
      // Not a typed input's type (hostType, ...): the editor sets that from its menu, a user never types it.
      for (const name of validated.filter((n) => !(n.endsWith("Type") && schema[n.slice(0, -4)]))) {
        assert.deepStrictEqual(invalidProps(def, Object.assign({}, base, { [name]: "${TCPA_FROM_ENV}" })), [], name);
      }
    });

    for (const name of validated) {
      it(`${type}.${name}: random values, alone`, function () {
        const base = Object.assign({}, ...Object.entries(schema).map(([n, p]) => ({ [n]: p.value })), BASE[type]);
        fc.assert(
          fc.property(contextOf(schema), valuesOf(schema[name]), (ctx, value) => {
            const stored = Object.assign({}, base);
            for (const [k, v] of Object.entries(ctx)) if (v !== undefined) stored[k] = v;
            stored[name] = value;
            compare(type, schema, def, stored);
          }),
          { numRuns: RUNS },
        );
      });
    }

    it(`${type}: random values for every property at once`, function () {
      const record = fc.record(Object.fromEntries(validated.map((n) => [n, fc.option(valuesOf(schema[n]), { nil: undefined, freq: 3 })])));
      const base = Object.assign({}, ...Object.entries(schema).map(([n, p]) => ({ [n]: p.value })), BASE[type]);
      fc.assert(
        fc.property(contextOf(schema), record, (ctx, values) => {
          const stored = Object.assign({}, base);
          for (const [k, v] of Object.entries(Object.assign({}, ctx, values))) if (v !== undefined) stored[k] = v;
          compare(type, schema, def, stored);
        }),
        { numRuns: RUNS * 10 },
      );
    });
  }
});
