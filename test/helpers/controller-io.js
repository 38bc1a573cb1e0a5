// What a node gives the send node's controllers, recorded: a catalog that shows its keys and
// substitutions, status, and each input's send and done.
"use strict";

/** "key" or "key {subs as JSON}", so a test sees which catalog entry was used with what. */
const t = (key, subs) => (subs ? `${key} ${JSON.stringify(subs)}` : key);

function nodeIo() {
  const statuses = [];
  const sent = [];
  const ended = [];
  return {
    t,
    statuses,
    sent,
    ended,
    status: (s) => statuses.push(s),
    /** send and done of one input. */
    input: (msg) => [(m) => sent.push(m), (err) => ended.push({ msg, err })],
    lastStatus: () => statuses[statuses.length - 1],
  };
}

module.exports = { nodeIo, t };
