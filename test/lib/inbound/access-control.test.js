"use strict";
const assert = require("assert");
const { lib } = require("../../helpers");
const { AccessControl, AccessListError, parseAccessList, parseAccessEntry, canonicalAddress } = lib("inbound/access-control.js");
const { parseListenGuards } = lib("inbound/listen-config.js");

describe("access-control", function () {
  it("parses addresses and CIDR ranges, IPv4 and IPv6, one per line, with comments", function () {
    const list = parseAccessList("10.0.0.5\n192.168.1.0/24  # line 3\n\n2001:db8::/32, [::1]\n::ffff:172.16.0.0/108\n");
    assert.deepStrictEqual(list, [
      { address: "10.0.0.5", family: "ipv4" },
      { address: "192.168.1.0", family: "ipv4", prefix: 24 },
      { address: "2001:db8::", family: "ipv6", prefix: 32 },
      { address: "::1", family: "ipv6" },
      { address: "172.16.0.0", family: "ipv4", prefix: 12 },
    ]);
  });

  it("names the first bad entry", function () {
    for (const bad of [
      "10.0.0.256",
      "10.0.0.0/33",
      "2001:db8::/129",
      "plc.local",
      "10.0.0.0/",
      "10.0.0.0/8/1",
      "::ffff:10.0.0.0/95",
      "1.2.3.4/-1",
    ]) {
      assert.throws(
        () => parseAccessList(`10.0.0.1\n${bad}`),
        (/** @type {any} */ err) => err instanceof AccessListError && err.entry === bad,
        bad,
      );
    }
  });

  it("an IPv4-mapped peer address matches IPv4 entries; a zone id is ignored", function () {
    assert.strictEqual(canonicalAddress("::ffff:10.1.2.3"), "10.1.2.3");
    assert.strictEqual(canonicalAddress("::FFFF:10.1.2.3"), "10.1.2.3");
    assert.strictEqual(canonicalAddress("fe80::1%eth0"), "fe80::1");
    const ac = new AccessControl(parseAccessList("10.0.0.0/8"), []);
    assert.strictEqual(ac.permits("::ffff:10.200.0.1"), true);
    assert.strictEqual(ac.permits("10.200.0.1"), true);
    assert.strictEqual(ac.permits("11.0.0.1"), false);
    assert.strictEqual(ac.permits("::1"), false, "an IPv6 peer is not in an IPv4 allow list");
  });

  it("deny wins over allow; an empty allow list lets everyone else in", function () {
    const ac = AccessControl.fromText("10.0.0.0/8\n2001:db8::/32", "10.0.0.66\n2001:db8::bad");
    assert.strictEqual(ac.permits("10.0.0.65"), true);
    assert.strictEqual(ac.permits("10.0.0.66"), false);
    assert.strictEqual(ac.permits("2001:db8::1"), true);
    assert.strictEqual(ac.permits("2001:db8::bad"), false);
    assert.strictEqual(ac.permits("2001:db9::1"), false);
    const denyOnly = AccessControl.fromText("", "192.168.0.0/16");
    assert.strictEqual(denyOnly.permits("192.168.5.5"), false);
    assert.strictEqual(denyOnly.permits("8.8.8.8"), true);
    assert.strictEqual(denyOnly.permits("::1"), true);
    assert.strictEqual(denyOnly.permits(""), false, "no address: never through a list");
    assert.strictEqual(AccessControl.fromText("", " \n# nothing\n"), undefined, "empty lists: no access control at all");
  });

  it("a single entry: /32 and /128 mean the address itself", function () {
    assert.deepStrictEqual(parseAccessEntry("10.0.0.1/32"), { address: "10.0.0.1", family: "ipv4", prefix: 32 });
    const ac = AccessControl.fromText("10.0.0.1/32\n::1/128", "");
    assert.ok(ac.permits("10.0.0.1") && ac.permits("::1") && !ac.permits("10.0.0.2") && !ac.permits("::2"));
  });

  it("listen guards: the editor's properties, checked, with the offending list named", function () {
    const g = parseListenGuards({ allow: "10.0.0.0/8", deny: "", maxPerIp: "3", proxyProtocol: "v2" });
    assert.strictEqual(g.maxPerIp, 3);
    assert.strictEqual(g.proxy, "v2");
    assert.ok(g.access.permits("10.1.1.1"));
    assert.deepStrictEqual(parseListenGuards({}), { access: undefined, maxPerIp: 0, proxy: "off", proxyFrom: undefined });
    const lb = parseListenGuards({ proxyProtocol: "v1", proxyFrom: "10.0.0.7\n2001:db8::/32" }).proxyFrom;
    assert.ok(lb.permits("10.0.0.7") && lb.permits("::ffff:10.0.0.7") && lb.permits("2001:db8::1"), "the balancers");
    assert.ok(!lb.permits("10.0.0.8") && !lb.permits("127.0.0.1"), "nobody else");
    assert.throws(
      () => parseListenGuards({ proxyFrom: "10.0.0.7 balancer-b" }),
      (/** @type {any} */ e) => e.key === "proxyFrom" && e.detail === "balancer-b",
    );
    assert.throws(
      () => parseListenGuards({ allow: "nope" }),
      (/** @type {any} */ e) => e.key === "allow" && e.detail === "nope",
    );
    assert.throws(
      () => parseListenGuards({ deny: "1.2.3.4/40" }),
      (/** @type {any} */ e) => e.key === "deny",
    );
    assert.throws(
      () => parseListenGuards({ maxPerIp: "-1" }),
      (/** @type {any} */ e) => e.key === "maxPerIp",
    );
    assert.throws(
      () => parseListenGuards({ proxyProtocol: "v3" }),
      (/** @type {any} */ e) => e.key === "proxyProtocol",
    );
  });
});
