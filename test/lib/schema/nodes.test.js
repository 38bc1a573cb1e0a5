"use strict";
// Each node's schema against what the editor and the catalogs need: the
// properties in the order today's editor saves them (saved flows keep their key
// order), a catalog message for every property that can be refused, a catalog
// text for every option, and nothing refused that has no message to say why.
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const { NODE_SCHEMAS, readProps } = lib("schema/index.js");

const ROOT = path.join(__dirname, "..", "..", "..");
const catalog = (type) => JSON.parse(fs.readFileSync(path.join(ROOT, "locales", "en-US", `${type}.json`), "utf8"))[type];
const lookup = (obj, key) => key.split(".").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), obj);
const ENV = { knowsEncoding: () => true };

const FRAMING = [
  "event",
  "eol",
  "delimiter",
  "keepDelimiter",
  // start and end bytes (STX/ETX)
  "startBytes",
  "endBytes",
  "keepStartEnd",
  "escapeByte",
  "count",
  "idleMs",
  "headerBytes",
  "endian",
  "keepHeader",
  // length field at an offset (headerBytes and endian are shared with the length-prefixed mode)
  "fieldStart",
  "fieldOffset",
  "fieldCounts",
  "fieldAdjust",
  "maxFrame",
  "output",
  "encoding",
];
const LISTEN_SECURITY = ["tls", "tlsClientAuth", "allow", "deny", "maxPerIp", "proxyProtocol", "proxyFrom"];
/** The editor's defaults, in order, as nodes/*.html declared them before the schemas. */
const SAVED_ORDER = {
  "tcp-server-trigger": [
    "name",
    "manager",
    "port",
    "host",
    "maxConnections",
    "readTimeout",
    "topic",
    "events",
    "outputs",
    ...FRAMING,
    ...LISTEN_SECURITY,
    "keepAlive",
    "greeting",
    "probe",
    "probeAnswer",
    "traffic",
  ],
  "send-to-tcp-port": [
    "name",
    "mode",
    "manager",
    "tls",
    "tlsVerify",
    "host",
    "hostType",
    "port",
    "portType",
    "data",
    "dataType",
    "encoding",
    "after",
    "eofTimeout",
    "disconnectDelay",
    "replyEnd",
    "saveReply",
    "replyProperty",
    "replyOutput",
    "connectTimeout",
    "writeTimeout",
    "attempts",
    "retryDelay",
    "retryMaxDelay",
    "retryWithin",
    "concurrency",
    "maxQueue",
    "drainTimeout",
    "closeAfterReply",
    "targets",
    "targetNode",
    "targetAddresses",
    "targetPort",
    "exceptSender",
    "slowClients",
    "persist",
    "persistMaxJobs",
    "persistMaxMB",
    "persistMaxAge",
    "persistSyncDelay",
  ],
  "tcp-server-client-bridge": [
    "name",
    "manager",
    "port",
    "host",
    "peerHost",
    "peerPort",
    "connectTimeout",
    "eventBytes",
    "timeout",
    "holdOff",
    "inputEncoding",
    "frameInterval",
    "maxBuffer",
    "bufferPolicy",
    "topic",
    "events",
    "outputs",
    ...FRAMING,
    ...LISTEN_SECURITY,
    "tlsVerify",
    "keepAlive",
    "greeting",
    "traffic",
  ],
  /** New with the schemas: the order its first release saves, kept from then on. */
  "tcp-client-link": [
    "name",
    "manager",
    "host",
    "port",
    "localAddress",
    "connectTimeout",
    "connect",
    "idleClose",
    "backoffFirst",
    "backoffLongest",
    "retryWithin",
    "mode",
    "replyProperty",
    "replyTimeout",
    "resetOnTimeout",
    "pipeline",
    "inputEncoding",
    ...FRAMING,
    "topic",
    "events",
    "outputs",
    "maxQueue",
    "maxQueueBytes",
    "queuePolicy",
    "maxAge",
    "keepAlive",
    "readTimeout",
    "writeTimeout",
    "heartbeat",
    "heartbeatIdle",
    "heartbeatAnswer",
    "heartbeatConsume",
    "greeting",
    "greetingWait",
    "greetingExpect",
    "greetingTimeout",
    "tls",
    "tlsVerify",
    "traffic",
    // Keep queued jobs across restarts (issue 15), after the others.
    "persist",
    "persistMaxJobs",
    "persistMaxMB",
    "persistMaxAge",
    "persistSyncDelay",
  ],
  "tcp-connection-manager": ["name"],
};

describe("schema: one per node", function () {
  for (const [type, schema] of Object.entries(NODE_SCHEMAS)) {
    it(`${type}: the properties of today's editor, in its order`, function () {
      assert.deepStrictEqual(Object.keys(schema), SAVED_ORDER[type]);
    });

    it(`${type}: every message and option text is in the catalog`, function () {
      const cat = catalog(type);
      for (const [name, prop] of Object.entries(schema)) {
        if (prop.message) assert.strictEqual(typeof lookup(cat.validation, prop.message), "string", `${name}: validation.${prop.message}`);
        if (prop.options) {
          for (const v of prop.options.values) {
            const key = prop.options.text(v);
            if (key !== undefined) assert.strictEqual(typeof lookup(cat, key), "string", `${name}: option ${v}: ${key}`);
          }
        }
        if (prop.configType) assert.strictEqual(prop.value, undefined, `${name}: a config node reference has no value`);
        else assert.notStrictEqual(prop.value, undefined, `${name}: a new node's value`);
      }
    });

    it(`${type}: a property without a message takes any value`, function () {
      const quiet = Object.keys(schema).filter((n) => !schema[n].message);
      const anything = fc.oneof(fc.anything(), fc.string(), fc.constantFrom(null, undefined, "", "true", "false", 0, -1, [], {}));
      fc.assert(
        fc.property(fc.record(Object.fromEntries(quiet.map((n) => [n, anything]))), (stored) => {
          readProps(Object.fromEntries(quiet.map((n) => [n, schema[n]])), stored, ENV);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe("schema: keep queued jobs across restarts (send and tcp client share it)", function () {
  const { checkProp } = lib("schema/index.js");
  const { parseClientConfig } = lib("client/config.js");
  const { parseSendConfig } = lib("outbound/send-config.js");
  const PERSIST = ["persist", "persistMaxJobs", "persistMaxMB", "persistMaxAge", "persistSyncDelay"];

  it("absent (flows saved before the option, nodes dragged in): off at runtime, and the editor takes every row", function () {
    const client = { host: "127.0.0.1", port: "7700" };
    assert.strictEqual(parseClientConfig(client).persist, undefined);
    assert.strictEqual(parseSendConfig({ host: "127.0.0.1", port: "9100" }).persist, undefined);
    /** @type {Array<{ type: string, stored: Record<string, unknown> }>} */
    const cases = [
      { type: "tcp-client-link", stored: client },
      { type: "send-to-tcp-port", stored: { host: "127.0.0.1", port: "9100" } },
    ];
    for (const { type, stored } of cases) {
      for (const name of PERSIST) {
        const live = (n) => (n === "persist" ? true : stored[n]);
        assert.strictEqual(checkProp(NODE_SCHEMAS[type], name, undefined, live, ENV), undefined, `${type}: ${name} absent`);
      }
    }
  });

  it("on with only the checkbox stored: the defaults; each bound refused out of range, only while it is on", function () {
    const on = parseClientConfig({ host: "127.0.0.1", port: "7700", persist: true }).persist;
    assert.deepStrictEqual(on, { maxJobs: 10000, maxBytes: 100 * 1024 * 1024, maxAgeMs: 86400000, syncDelayMs: 5 });
    const schema = NODE_SCHEMAS["tcp-client-link"];
    const stored = { host: "127.0.0.1", port: "7700", persist: true };
    assert.strictEqual(
      checkProp(schema, "persistSyncDelay", "1001", (n) => stored[n], ENV),
      "syncDelay",
    );
    assert.strictEqual(
      checkProp(schema, "persistMaxJobs", "0", (n) => stored[n], ENV),
      "positive",
    );
    assert.strictEqual(
      checkProp(schema, "persistMaxJobs", "0", (n) => (n === "persist" ? false : stored[n]), ENV),
      undefined,
    );
    assert.throws(() => parseClientConfig({ ...stored, persistMaxAge: "-1" }), { name: "ConfigError" });
  });
});
