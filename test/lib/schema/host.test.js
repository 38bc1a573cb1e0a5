"use strict";
const assert = require("assert");
const { lib } = require("../../helpers");
const { readHost, splitHostPort, destinationPort } = lib("schema/host.js");

describe("schema: hosts and destinations", function () {
  it("a host: IP literal (IPv6 bracketed or not, zone included) or host name; blank is none; anything but a string is refused", function () {
    assert.deepStrictEqual(readHost(" 10.0.0.5 "), { ok: true, value: "10.0.0.5" });
    assert.deepStrictEqual(readHost("[::1]"), { ok: true, value: "::1" });
    assert.deepStrictEqual(readHost("fe80::1%eth0"), { ok: true, value: "fe80::1%eth0" });
    assert.deepStrictEqual(readHost("printer-1.lab"), { ok: true, value: "printer-1.lab" });
    assert.deepStrictEqual(readHost("  "), { ok: true, value: undefined });
    assert.deepStrictEqual(readHost(undefined), { ok: true, value: undefined });
    assert.deepStrictEqual(readHost("[:::]"), { ok: false, detail: "[:::]" });
    assert.deepStrictEqual(readHost("bad host!"), { ok: false, detail: "bad host!" });
    assert.deepStrictEqual(readHost(42), { ok: false, detail: "42" });
  });

  it("host:port, [v6]:port, a bare IPv6 literal; what is wrong, with the part at fault", function () {
    assert.deepStrictEqual(splitHostPort("printer:9100"), { ok: true, host: "printer", port: 9100 });
    assert.deepStrictEqual(splitHostPort("[::1]:9100"), { ok: true, host: "::1", port: 9100 });
    assert.deepStrictEqual(splitHostPort("::1"), { ok: true, host: "::1" });
    assert.deepStrictEqual(splitHostPort("h: 80 "), { ok: true, host: "h", port: 80 });
    assert.deepStrictEqual(splitHostPort(""), { ok: false, problem: "no-host", part: "" });
    assert.deepStrictEqual(splitHostPort("h:"), { ok: false, problem: "no-port", part: "h:" });
    assert.deepStrictEqual(splitHostPort(":80"), { ok: false, problem: "no-host", part: "" });
    assert.deepStrictEqual(splitHostPort("bad host:80"), { ok: false, problem: "bad-host", part: "bad host" });
    assert.deepStrictEqual(splitHostPort("h:0x50"), { ok: false, problem: "bad-port", part: "0x50" });
    assert.deepStrictEqual(splitHostPort("[::1"), { ok: false, problem: "bad-destination", part: "[::1" });
    assert.deepStrictEqual(splitHostPort("[h]:1"), { ok: false, problem: "bad-host", part: "[h]:1" });
    assert.deepStrictEqual(splitHostPort("a:b:c"), { ok: false, problem: "bad-destination", part: "a:b:c" });
  });

  it("a destination port is a number or digits, 1 to 65535", function () {
    assert.strictEqual(destinationPort(9100), 9100);
    assert.strictEqual(destinationPort(" 9100 "), 9100);
    for (const bad of ["1e3", "0x10", "5.0", 0, 65536, 80.5, "", null, undefined, true])
      assert.strictEqual(destinationPort(bad), undefined, JSON.stringify(bad));
  });
});
