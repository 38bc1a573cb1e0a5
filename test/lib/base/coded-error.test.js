"use strict";
// The one error type: a code on every error of the package, the catalog entry where a node shows it.
const assert = require("assert");
const { lib } = require("../../helpers");
const { CodedError, codedError, inWords } = lib("base/coded-error.js");

describe("coded errors", function () {
  it("codedError: the text as written (no 'Error: ' prefix) and an own code, as Catch nodes read them", function () {
    const err = codedError("could not connect", "ECONNREFUSED");
    assert.ok(err instanceof CodedError && err instanceof Error);
    assert.strictEqual(String(err), "could not connect");
    assert.strictEqual(err.message, "could not connect");
    assert.ok(Object.prototype.hasOwnProperty.call(err, "code"));
    assert.strictEqual(/** @type {any} */ (err).code, "ECONNREFUSED");
    assert.match(err.stack, /^Error: could not connect/);
  });

  it("inWords: the catalog text with the caller's context, the error's own substitutions winning, and its code", function () {
    class Full extends CodedError {
      constructor() {
        super("EFULL", "full");
      }
      catalog() {
        return { key: "full", subs: { where: "own", limit: 5 } };
      }
    }
    const t = (key, subs) => `${key} ${JSON.stringify(subs)}`;
    const err = inWords(new Full(), t, { where: "context", peer: "p" });
    assert.strictEqual(String(err), 'errors.full {"where":"own","peer":"p","limit":5}');
    assert.strictEqual(err.code, "EFULL");
    assert.strictEqual(inWords(new CodedError("EX", "x"), t), undefined, "no entry: the message is the text");
    assert.strictEqual(inWords(new Error("x"), t), undefined);
  });

  it("every error class of the package is a CodedError with a code", function () {
    // Not the schema's grammar errors (EscapeError, AccessListError) nor ConfigError: lib/schema is bundled into the
    // editor on its own, and the parsers turn those errors into a ConfigError, reported as ECONFIG (README).
    const made = [
      new (lib("outbound/payload.js").PayloadError)("null", "null"),
      new (lib("outbound/destination.js").DestinationError)("no-host", "x"),
      new (lib("outbound/delivery.js").QueueError)("EQUEUEFULL", "h:1", 1),
      new (lib("outbound/job.js").JobError)("ECONNREFUSED", "connect", 1, 1, 0),
      new (lib("outbound/reply.js").ReplyWriteError)("EPIPE", "s", "p", new Error("x")),
      new (lib("sessions/registry.js").SessionError)("ESESSIONUNKNOWN", "x", { sessionId: "s" }),
      new (lib("base/encoding.js").EncodingError)("klingon"),
      new (lib("base/tls-options.js").TlsOptionsError)("no-ca"),
      new (lib("inbound/framing.js").FrameTooLargeError)(2, 1),
      new (lib("inbound/stream.js").IncompleteFrameError)(1, 2),
      new (lib("inbound/proxy-protocol.js").ProxyHeaderError)("x"),
    ];
    for (const err of made) {
      assert.ok(err instanceof CodedError, err.name);
      assert.match(err.code, /^E[A-Z]+$/, err.name);
      assert.notStrictEqual(err.name, "Error", "each class names itself");
    }
  });
});
