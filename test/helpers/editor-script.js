// The editor's script as the browser gets it (resources/editor-common.js, built
// by npm run build), run in a vm context with just enough of window, RED and $:
// the node definitions it registers, with the validators Node-RED would call.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const SCRIPT = path.join(__dirname, "..", "..", "resources", "editor-common.js");
const TYPES = ["tcp-server-trigger", "send-to-tcp-port", "tcp-server-client-bridge", "tcp-client-link", "tcp-connection-manager"];

/** The node definitions the script registers, by type. Nothing is being edited, so validators read stored values. */
function loadEditorScript() {
  const registered = {};
  const RED = {
    nodes: { registerType: (type, def) => (registered[type] = def), eachNode: () => undefined, node: () => null },
    editor: { getEditStack: () => [] },
    // Node-RED's own typed-input check (JSON, JSONata and property syntax) is not ours to compare.
    validators: { typedInput: () => () => true },
  };
  const $ = () => {
    throw new Error("the validators touched the DOM with no dialog open");
  };
  const context = vm.createContext({ window: {}, RED, $ });
  vm.runInContext(fs.readFileSync(SCRIPT, "utf8"), context, { filename: SCRIPT });
  for (const type of TYPES) context.window.TcpAutomation.register(type);
  return registered;
}

/** The properties Node-RED would mark invalid in a node with these stored values. */
function invalidProps(def, stored) {
  const node = Object.assign({ _: (key) => key }, stored);
  const out = [];
  for (const [name, d] of Object.entries(def.defaults)) {
    if (!d.validate) continue;
    const r = d.validate.call(node, stored[name], {});
    if (r !== true) out.push({ name, message: r });
  }
  return out;
}

module.exports = { loadEditorScript, invalidProps, TYPES };
