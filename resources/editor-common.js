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
  /**
   * A property as the user sees it: the edit dialog's field while this node is being edited (so a check that
   * depends on another field reacts at once), else the saved value.
   */
  function live(node, prop) {
    var stack = RED.editor && RED.editor.getEditStack ? RED.editor.getEditStack() : [];
    if (stack.length && stack[stack.length - 1] === node) {
      var el = $("#node-input-" + prop);
      if (el.length) return el.attr("type") === "checkbox" ? el.prop("checked") : el.val();
    }
    return node[prop];
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
        validate: function (v, opt) { return live(this, "event") !== "delimiter" || escapesOk(v) ? true : fail(opt, this, k + "delimiter"); }
      },
      keepDelimiter: { value: false },
      count: {
        value: 1,
        validate: function (v, opt) {
          if (live(this, "event") !== "count") return true;
          var n = whole(v), max = whole(live(this, "maxFrame"));
          return n >= 1 && (!(max >= 1) || n <= max) ? true : fail(opt, this, k + "count");
        }
      },
      idleMs: {
        value: 100,
        validate: function (v, opt) { return live(this, "event") !== "idle" || whole(v) >= 1 ? true : fail(opt, this, k + "positive"); }
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
    revalidateOnChange(["event", "eol", "delimiter", "count", "idleMs", "headerBytes", "maxFrame", "output"]);
  }

  /**
   * Node-RED attaches its live validation (red field, message on hover) to the fields present before
   * oneditprepare only; rows built in oneditprepare get it through a field that has it (every panel has
   * a name), since Node-RED then checks all fields of the dialog.
   */
  function revalidateOnChange(props, prefix) {
    var p = prefix || "node-input";
    props.forEach(function (prop) {
      $("#" + p + "-" + prop).on("change keyup paste", function () { $("#" + p + "-name").trigger("change"); });
    });
  }

  /** The dialog's current values over the node's saved ones, so a check sees what the user sees. */
  function dialogState(node, prefix) {
    var ctx = Object.create(node);
    Object.keys(node._def.defaults).forEach(function (d) {
      var el = $("#" + prefix + "-" + d);
      if (el.length) ctx[d] = el.attr("type") === "checkbox" ? el.prop("checked") : el.val();
    });
    return ctx;
  }

  /**
   * Node-RED puts a typed input's validation message on its hidden field, where no one can hover it:
   * show the message of the property's validator on the visible typed input as well.
   */
  function typedInputMessages(node, props, prefix) {
    var p = prefix || "node-input";
    props.forEach(function (prop) {
      var input = $("#" + p + "-" + prop);
      var def = node._def.defaults[prop];
      if (!input.length || !def || !def.validate) return;
      var tip = null;
      function check() {
        var box = input.next(".red-ui-typedInput-container");
        var v = def.validate.call(dialogState(node, p), input.val(), {});
        if (typeof v === "string") {
          if (tip) tip.setContent(v);
          else tip = RED.popover.tooltip(box, v);
        } else if (tip) {
          tip.delete();
          tip = null;
        }
      }
      input.on("change", check);
      $("#" + p + "-" + prop + "Type").on("change", check);
    });
  }

  window.TcpAutomation = {
    validators: { live: live, range: range, isHost: isHost, escapesOk: escapesOk, whole: whole, fail: fail, splitHostPort: splitHostPort, isHostPort: isHostPort },
    framingDefaults: framingDefaults,
    prepareFraming: prepareFraming,
    revalidateOnChange: revalidateOnChange,
    typedInputMessages: typedInputMessages,
    encodings: ENCODINGS
  };
})();

/* The "security" group of the trigger, the bridge and send-to-tcp-port: TLS
 * (Node-RED's tls-config node), and for listening nodes the allow/deny lists,
 * the per-address limit and the PROXY protocol. Each node's template holds
 * <div id="tcpa-security"> with the tls-config field in it (Node-RED turns
 * that field into a config-node select before oneditprepare); the other rows
 * are added here. kind: "listen" (trigger), "client" (send-to-tcp-port),
 * "both" (bridge: listens and dials). */
(function () {
  "use strict";
  if (!window.TcpAutomation || window.TcpAutomation.prepareSecurity) return;
  var whole = window.TcpAutomation.validators.whole;

  var V4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
  /** An entry the runtime will accept (a loose IPv6 check; the runtime checks exactly). */
  function accessEntryOk(e) {
    var m = /^\[?([0-9a-fA-F:.]+)\]?(?:\/([0-9]{1,3}))?$/.exec(e);
    if (!m) return false;
    var v4 = V4.test(m[1]);
    var v6 = !v4 && m[1].indexOf(":") !== -1 && /^[0-9a-fA-F:.]+$/.test(m[1]);
    if (!v4 && !v6) return false;
    return m[2] === undefined || Number(m[2]) <= (v4 ? 32 : 128);
  }
  function accessListOk(v) {
    var lines = String(v || "").split(/\r?\n/);
    for (var i = 0; i < lines.length; i++) {
      var body = lines[i].split("#")[0];
      var parts = body.split(/[\s,;]+/);
      for (var j = 0; j < parts.length; j++) if (parts[j] !== "" && !accessEntryOk(parts[j])) return false;
    }
    return true;
  }

  function securityDefaults(type, kind) {
    var k = type + ".validation.";
    var d = { tls: { type: "tls-config", required: false } };
    if (kind === "listen" || kind === "both") {
      var accessListField = function (v, opt) { return accessListOk(v) ? true : (opt ? this._(k + "access") : false); };
      d.tlsClientAuth = { value: "none" };
      d.allow = { value: "", validate: accessListField };
      d.deny = { value: "", validate: accessListField };
      // Flows from before this property (examples, imports) do not have it: missing means 0 (no limit).
      d.maxPerIp = { value: 0, validate: function (v, opt) { var n = v === undefined || v === null || v === "" ? 0 : whole(v); return n >= 0 && n <= 1000000 ? true : (opt ? this._(k + "maxPerIp") : false); } };
      d.proxyProtocol = { value: "off" };
      d.proxyFrom = { value: "", validate: accessListField };
    }
    if (kind === "client" || kind === "both") d.tlsVerify = { value: true };
    return d;
  }

  function prepareSecurity(node, type, kind) {
    var t = function (key) { return node._(type + "." + key); };
    var esc = function (s) { return $("<div/>").text(s).html(); };
    var box = $("#tcpa-security");
    var listen = kind === "listen" || kind === "both";
    var client = kind === "client" || kind === "both";
    box.prepend('<h4 class="tcpa-section"><i class="fa fa-shield"></i> ' + esc(t("label.security")) + "</h4>");
    var html = '<div class="form-tips" style="margin-bottom:12px">' + esc(t("security.tls-hint")) + "</div>";
    if (listen) {
      html += '<div class="form-row tcpa-row-tls"><label for="node-input-tlsClientAuth">' + esc(t("label.tlsClientAuth")) + "</label>" +
        '<select id="node-input-tlsClientAuth" style="width:70%"></select></div>';
    }
    if (client) {
      html += '<div class="form-row tcpa-row-tls"><label></label><label for="node-input-tlsVerify" style="width:auto">' +
        '<input type="checkbox" id="node-input-tlsVerify" style="width:auto;margin:0 6px 0 0"> ' + esc(t("security.verify")) + "</label></div>" +
        '<div class="form-tips tcpa-row-verify-off" style="margin-bottom:12px"><i class="fa fa-exclamation-triangle"></i> ' + esc(t("security.verify-off")) + "</div>";
    }
    if (listen) {
      html += '<div class="form-row"><label for="node-input-allow">' + esc(t("label.allow")) + "</label>" +
          '<textarea id="node-input-allow" rows="3" style="width:70%;font-family:monospace" placeholder="' + esc(t("security.allow-placeholder")) + '"></textarea></div>' +
        '<div class="form-row"><label for="node-input-deny">' + esc(t("label.deny")) + "</label>" +
          '<textarea id="node-input-deny" rows="2" style="width:70%;font-family:monospace" placeholder="' + esc(t("security.deny-placeholder")) + '"></textarea></div>' +
        '<div class="form-row"><label for="node-input-maxPerIp">' + esc(t("label.maxPerIp")) + "</label>" +
          '<input type="text" id="node-input-maxPerIp" style="width:100px"> <span>' + esc(t("security.maxPerIp-hint")) + "</span></div>" +
        '<div class="form-row"><label for="node-input-proxyProtocol">' + esc(t("label.proxyProtocol")) + "</label>" +
          '<select id="node-input-proxyProtocol" style="width:70%"></select></div>' +
        '<div class="form-row tcpa-row-proxy"><label for="node-input-proxyFrom">' + esc(t("label.proxyFrom")) + "</label>" +
          '<textarea id="node-input-proxyFrom" rows="2" style="width:70%;font-family:monospace" placeholder="' + esc(t("security.proxyFrom-placeholder")) + '"></textarea></div>' +
        '<div class="form-tips tcpa-row-proxy" style="margin-bottom:12px">' + esc(t("security.proxy-hint")) + "</div>";
    }
    box.append(html);
    if (listen) {
      var auth = $("#node-input-tlsClientAuth");
      ["none", "require"].forEach(function (v) { auth.append($("<option/>").val(v).text(t("security.clientAuth-" + v))); });
      auth.val(node.tlsClientAuth || "none");
      var px = $("#node-input-proxyProtocol");
      ["off", "v1", "v2", "any"].forEach(function (v) { px.append($("<option/>").val(v).text(t("security.proxy-" + v))); });
      px.val(node.proxyProtocol || "off");
      $("#node-input-allow").val(node.allow || "");
      $("#node-input-deny").val(node.deny || "");
      $("#node-input-proxyFrom").val(node.proxyFrom || "");
      $("#node-input-maxPerIp").val(node.maxPerIp === undefined ? 0 : node.maxPerIp);
    }
    if (client) $("#node-input-tlsVerify").prop("checked", !(node.tlsVerify === false || node.tlsVerify === "false"));
    function refresh() {
      var tls = $("#node-input-tls").val();
      var on = !!tls && tls !== "_ADD_";
      $(".tcpa-row-tls").toggle(on);
      $(".tcpa-row-verify-off").toggle(on && client && !$("#node-input-tlsVerify").is(":checked"));
      $(".tcpa-row-proxy").toggle(listen && $("#node-input-proxyProtocol").val() !== "off");
    }
    $("#node-input-tls, #node-input-tlsVerify, #node-input-proxyProtocol").on("change", refresh);
    refresh();
    window.TcpAutomation.revalidateOnChange(listen ? ["allow", "deny", "maxPerIp", "proxyFrom"] : []);
  }

  window.TcpAutomation.securityDefaults = securityDefaults;
  window.TcpAutomation.prepareSecurity = prepareSecurity;
  window.TcpAutomation.accessListOk = accessListOk;
})();
