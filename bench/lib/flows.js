// Flows under test: ours and Node-RED core's, doing the same job.
"use strict";

const TAB = { id: "bench0000000tab1", type: "tab", label: "bench" };
const counter = { id: "bench00000count1", type: "bench-counter", z: TAB.id, wires: [] };

function triggerToCounter(port, props = {}) {
  return [
    TAB,
    Object.assign(
      {
        id: "bench00000trig01",
        type: "tcp-server-trigger",
        z: TAB.id,
        port: String(port),
        host: "127.0.0.1",
        event: "line",
        eol: "lf",
        output: "string",
        encoding: "utf8",
        maxFrame: "1048576",
        outputs: 1,
        wires: [[counter.id]],
      },
      props,
    ),
    counter,
  ];
}

/**
 * A core `tcp in` in stream mode, the way every scenario compares against it: listening ("server", on every
 * interface) or dialling ("client", with host), UTF-8 lines by default; o overrides datatype and newline.
 */
function coreTcpIn(id, port, wires, o = {}) {
  return {
    id,
    type: "tcp in",
    z: TAB.id,
    server: o.server || "server",
    host: o.host || "",
    port: String(port),
    datamode: "stream",
    datatype: o.datatype || "utf8",
    newline: o.newline === undefined ? "\\n" : o.newline,
    topic: "",
    trim: false,
    base64: false,
    tls: "",
    wires,
  };
}

function coreTcpInToCounter(port) {
  return [TAB, coreTcpIn("bench0000tcpin01", port, [[counter.id]]), counter];
}

const source = (wires) => ({ id: "bench00000source", type: "bench-source", z: TAB.id, wires: [wires] });

/** bench-source -> send-to-tcp-port (one connection per job, close at once) -> counter (one message per finished job); extra: more node properties. */
function sendJobs(port, extra = {}) {
  return [
    TAB,
    source(["bench00000send01"]),
    {
      id: "bench00000send01",
      type: "send-to-tcp-port",
      z: TAB.id,
      mode: "send",
      host: "127.0.0.1",
      hostType: "str",
      port: String(port),
      portType: "num",
      data: "payload",
      dataType: "msg",
      encoding: "auto",
      after: "close",
      wires: [[counter.id]],
      ...extra,
    },
    counter,
  ];
}

/**
 * One job at a time: of the source's burst only the first message goes in; each finished job's message makes
 * the next one (a closed loop through the send node), until n; every finished job reaches the counter.
 */
function sendJobsOneByOne(port, n, extra = {}) {
  const [tab, , send, count] = sendJobs(port, extra);
  const first = {
    id: "bench00000first1",
    type: "function",
    z: TAB.id,
    func: "return msg.seq === 0 ? msg : null;",
    outputs: 1,
    wires: [[send.id]],
  };
  const next = {
    id: "bench000000next1",
    type: "function",
    z: TAB.id,
    func: `const i = msg.seq + 1;\nconst job = i < ${n} ? { payload: "job-" + String(i).padStart(6, "0") + "\\n", seq: i } : null;\nreturn [job, msg];`,
    outputs: 2,
    wires: [[send.id], [count.id]],
  };
  return [tab, source([first.id]), first, { ...send, wires: [[next.id]] }, next, count];
}

/** Core tcp out as a client that closes after each message. */
function coreTcpOutJobs(port) {
  return [
    TAB,
    source(["bench0000tcpout1"]),
    {
      id: "bench0000tcpout1",
      type: "tcp out",
      z: TAB.id,
      host: "127.0.0.1",
      port: String(port),
      beserver: "client",
      base64: false,
      end: true,
      tls: "",
      wires: [],
    },
  ];
}

/** Core tcp request, "close connection immediately" after sending. */
function coreTcpRequestJobs(port) {
  return [
    TAB,
    source(["bench000tcpreq01"]),
    {
      id: "bench000tcpreq01",
      type: "tcp request",
      z: TAB.id,
      server: "127.0.0.1",
      port: String(port),
      out: "immed",
      ret: "buffer",
      splitc: " ",
      newline: "",
      trim: false,
      tls: "",
      wires: [[]],
    },
  ];
}

const REPLY_FUNCTION = 'msg.payload = "R:" + msg.payload + "\\n";\nreturn msg;';

function replyFunction(next) {
  return {
    id: "bench0000replyfn",
    type: "function",
    z: TAB.id,
    func: REPLY_FUNCTION,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: "",
    finalize: "",
    libs: [],
    wires: [[next]],
  };
}

/** tcp-server-trigger -> function -> send-to-tcp-port (reply to sender). */
function ourReplyLoop(port) {
  return [
    TAB,
    {
      id: "bench00000trig01",
      type: "tcp-server-trigger",
      z: TAB.id,
      port: String(port),
      host: "127.0.0.1",
      event: "line",
      eol: "lf",
      output: "string",
      encoding: "utf8",
      outputs: 1,
      wires: [["bench0000replyfn"]],
    },
    replyFunction("bench00000reply1"),
    {
      id: "bench00000reply1",
      type: "send-to-tcp-port",
      z: TAB.id,
      mode: "reply",
      manager: "",
      data: "payload",
      dataType: "msg",
      encoding: "auto",
      closeAfterReply: false,
      wires: [[]],
    },
  ];
}

/** core tcp in -> function -> tcp out (reply to tcp). */
function coreReplyLoop(port) {
  const [tab, tcpIn] = coreTcpInToCounter(port);
  return [
    tab,
    Object.assign({}, tcpIn, { wires: [["bench0000replyfn"]] }),
    replyFunction("bench0000tcpout1"),
    {
      id: "bench0000tcpout1",
      type: "tcp out",
      z: TAB.id,
      host: "",
      port: "",
      beserver: "reply",
      base64: false,
      end: false,
      tls: "",
      wires: [],
    },
  ];
}

module.exports = {
  TAB,
  coreTcpIn,
  triggerToCounter,
  coreTcpInToCounter,
  sendJobs,
  sendJobsOneByOne,
  coreTcpOutJobs,
  coreTcpRequestJobs,
  ourReplyLoop,
  coreReplyLoop,
};
