/* Shared editor code for the TCP automation nodes: validators and the
 * "when to emit / what to emit" fields that the trigger and the bridge share.
 * Served by Node-RED from this package's resources/ folder. */
(function () {
  "use strict";
  if (window.TcpAutomation) return;

  function whole(v) {
    var s = String(v === undefined || v === null ? "" : v).trim();
    return /^[0-9]+$/.test(s) ? Number(s) : NaN;
  }
  function fail(opt, node, key) {
    return opt ? node._(key) : false;
  }
  function range(min, max, key) {
    return function (v, opt) {
      var n = whole(v);
      return n >= min && n <= max ? true : fail(opt, this, key);
    };
  }
  var HOST = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
  function isHost(v) {
    var s = String(v || "").trim();
    if (s === "") return true;
    if (s.charAt(0) === "[" && s.charAt(s.length - 1) === "]") s = s.slice(1, -1);
    if (/^[0-9a-fA-F:.]+$/.test(s) && s.indexOf(":") !== -1) return true; // IPv6 literal
    return HOST.test(s);
  }
  /** "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 literal, as {host, port} (port "" when absent); null when malformed. */
  function splitHostPort(v) {
    var s = String(v || "").trim();
    if (s === "") return null;
    var m = /^\[([0-9a-fA-F:.]+)\](?::(.*))?$/.exec(s);
    if (m) return m[1].indexOf(":") !== -1 ? { host: m[1], port: m[2] === undefined ? "" : m[2] } : null;
    var colons = s.split(":").length - 1;
    if (colons > 1) return /^[0-9a-fA-F:.]+$/.test(s) ? { host: s, port: "" } : null;
    if (colons === 1) {
      var at = s.indexOf(":");
      return { host: s.slice(0, at), port: s.slice(at + 1) };
    }
    return { host: s, port: "" };
  }
  /** True for a host with an optional valid :port (see splitHostPort); empty counts as valid, like isHost. */
  function isHostPort(v) {
    if (String(v || "").trim() === "") return true;
    var d = splitHostPort(v);
    if (!d || d.host === "" || !isHost(d.host)) return false;
    if (d.port === "") return String(v).trim().slice(-1) !== ":";
    var n = whole(d.port);
    return n >= 1 && n <= 65535;
  }

  function escapesOk(v) {
    var s = String(v || "");
    if (s === "") return false;
    for (var i = 0; i < s.length; i++) {
      if (s[i] !== "\\") continue;
      var n = s[i + 1];
      if ("rnt0\\".indexOf(n) !== -1 && n !== undefined) { i++; continue; }
      if (n === "x" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) { i += 3; continue; }
      return false;
    }
    return true;
  }

  var ENCODINGS = ["auto", "utf8", "latin1", "windows-1252", "cp437", "cp850", "ascii", "utf16le", "utf16be",
    "windows-1250", "windows-1251", "iso-8859-2", "iso-8859-15", "shift_jis", "euc-jp", "gb18030", "gbk", "big5", "euc-kr"];

  /** Node-editor defaults for the framing properties, prefixed for one node type's catalog. */
  function framingDefaults(type) {
    var k = type + ".validation.";
    return {
      event: { value: "line" },
      eol: { value: "crlf" },
      delimiter: {
        value: "\\n",
        validate: function (v, opt) { return this.event !== "delimiter" || escapesOk(v) ? true : fail(opt, this, k + "delimiter"); }
      },
      keepDelimiter: { value: false },
      count: {
        value: 1,
        validate: function (v, opt) {
          if (this.event !== "count") return true;
          var n = whole(v), max = whole(this.maxFrame);
          return n >= 1 && (!(max >= 1) || n <= max) ? true : fail(opt, this, k + "count");
        }
      },
      idleMs: {
        value: 100,
        validate: function (v, opt) { return this.event !== "idle" || whole(v) >= 1 ? true : fail(opt, this, k + "positive"); }
      },
      headerBytes: { value: "2" },
      endian: { value: "be" },
      keepHeader: { value: false },
      maxFrame: { value: 1048576, validate: range(1, 2147483647, k + "positive") },
      output: { value: "string" },
      encoding: { value: "auto" }
    };
  }

  function opt(value, text) {
    return $("<option/>").val(value).text(text);
  }

  function row(cls, id, label, control) {
    return '<div class="form-row ' + cls + '"><label for="node-input-' + id + '">' + label + "</label>" + control + "</div>";
  }
  function checkRow(cls, id, text) {
    return '<div class="form-row ' + cls + '"><label></label><label for="node-input-' + id + '" style="width:auto">' +
      '<input type="checkbox" id="node-input-' + id + '" style="width:auto;margin:0 6px 0 0"> ' + text + "</label></div>";
  }

  /** The "when / what to emit" rows, built into <div id="tcpa-framing"> so every node shows the same fields. */
  function framingRows(t) {
    var esc = function (s) { return $("<div/>").text(s).html(); };
    return '<h4 class="tcpa-section">' + esc(t("label.when")) + "</h4>" +
      row("", "event", '<i class="fa fa-sign-in"></i> ' + esc(t("label.event")), '<select id="node-input-event" style="width:70%"></select>') +
      row("tcpa-row-eol", "eol", esc(t("label.eol")), '<select id="node-input-eol" style="width:70%"></select>') +
      row("tcpa-row-delimiter", "delimiter", esc(t("label.delimiter")), '<input type="text" id="node-input-delimiter" style="width:70%" placeholder="' + esc(t("placeholder.delimiter")) + '">') +
      checkRow("tcpa-row-delimiter", "keepDelimiter", esc(t("label.keepDelimiter"))) +
      row("tcpa-row-count", "count", esc(t("label.count")), '<input type="text" id="node-input-count" style="width:120px">') +
      row("tcpa-row-idle", "idleMs", esc(t("label.idleMs")), '<input type="text" id="node-input-idleMs" style="width:120px"> ' + esc(t("label.ms"))) +
      row("tcpa-row-length", "headerBytes", esc(t("label.headerBytes")), '<select id="node-input-headerBytes" style="width:120px"></select> <select id="node-input-endian" style="width:150px"></select>') +
      checkRow("tcpa-row-length", "keepHeader", esc(t("label.keepHeader"))) +
      '<h4 class="tcpa-section">' + esc(t("label.what")) + "</h4>" +
      row("", "output", esc(t("label.output")), '<select id="node-input-output" style="width:70%"></select>') +
      row("tcpa-row-encoding", "encoding", esc(t("label.encoding")), '<select id="node-input-encoding" style="width:70%"></select>') +
      row("", "maxFrame", esc(t("label.maxFrame")), '<input type="text" id="node-input-maxFrame" style="width:120px"> ' + esc(t("label.bytes")));
  }

  /** Fills the framing rows of an edit dialog and shows only those that apply. Call first in oneditprepare. */
  function prepareFraming(node, type) {
    var t = function (key) { return node._(type + "." + key); };
    $("#tcpa-framing").html(framingRows(t));
    ["delimiter", "count", "idleMs", "maxFrame"].forEach(function (p) { $("#node-input-" + p).val(node[p]); });
    $("#node-input-keepDelimiter").prop("checked", node.keepDelimiter === true || node.keepDelimiter === "true");
    $("#node-input-keepHeader").prop("checked", node.keepHeader === true || node.keepHeader === "true");
    var ev = $("#node-input-event");
    ["line", "delimiter", "count", "idle", "length", "chunk", "close"].forEach(function (e) { ev.append(opt(e, t("event." + e))); });
    var eol = $("#node-input-eol");
    ["crlf", "any", "crlfstrict", "lf", "null"].forEach(function (e) { eol.append(opt(e, t("eol." + e))); });
    var hb = $("#node-input-headerBytes");
    ["1", "2", "4"].forEach(function (e) { hb.append(opt(e, t("header." + e))); });
    var en = $("#node-input-endian");
    ["be", "le"].forEach(function (e) { en.append(opt(e, t("header." + e))); });
    var out = $("#node-input-output");
    ["string", "buffer"].forEach(function (e) { out.append(opt(e, t("output." + e))); });
    var enc = $("#node-input-encoding");
    ENCODINGS.forEach(function (e) { enc.append(opt(e, e === "auto" ? t("encoding.auto") : e)); });
    if (node.encoding && ENCODINGS.indexOf(node.encoding) === -1) enc.append(opt(node.encoding, node.encoding));
    ev.val(node.event || "line");
    eol.val(node.eol || "crlf");
    hb.val(String(node.headerBytes || "2"));
    en.val(node.endian || "be");
    out.val(node.output || "string");
    enc.val(node.encoding || "auto");

    function refresh() {
      var e = ev.val();
      $(".tcpa-row-eol").toggle(e === "line");
      $(".tcpa-row-delimiter").toggle(e === "delimiter");
      $(".tcpa-row-count").toggle(e === "count");
      $(".tcpa-row-idle").toggle(e === "idle");
      $(".tcpa-row-length").toggle(e === "length");
      $(".tcpa-row-encoding").toggle(out.val() === "string");
    }
    ev.on("change", refresh);
    out.on("change", refresh);
    refresh();
  }

  window.TcpAutomation = {
    validators: { range: range, isHost: isHost, escapesOk: escapesOk, whole: whole, fail: fail, splitHostPort: splitHostPort, isHostPort: isHostPort },
    framingDefaults: framingDefaults,
    prepareFraming: prepareFraming,
    encodings: ENCODINGS
  };
})();
