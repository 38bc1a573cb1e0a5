// The test helper loads no message catalogs, so RED._ returns bare keys and
// drops the substitutions. keyed(register) gives a node a RED._ that shows
// "key {subs}", so tests can check which text a node chose and with what.
"use strict";

function keyed(register) {
  return function (RED) {
    const _ = (key, subs) => (subs ? `${key} ${JSON.stringify(subs)}` : key);
    return register(new Proxy(RED, { get: (t, p) => (p === "_" ? _ : t[p]) }));
  };
}

module.exports = { keyed };
