// The editor's script as the browser gets it (resources/editor-common.js, built
// by npm run build), run in a vm context with just enough of window, RED and $:
// the node definitions it registers, with the validators Node-RED would call.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const ROOT = path.join(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "resources", "editor-common.js");
const TYPES = Object.keys(require(path.join(ROOT, "package.json"))["node-red"].nodes);

/** The inline scripts of a node's HTML (type text/javascript): what Node-RED's editor runs to register it. */
function inlineScripts(type) {
  const html = fs.readFileSync(path.join(ROOT, "nodes", `${type}.html`), "utf8");
  return [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
}

/**
 * The node definitions each node's HTML registers with the script's help, by type (the HTML's own inline script
 * runs, as in the editor). Nothing is being edited, so validators read stored values.
 */
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
  for (const type of TYPES) for (const js of inlineScripts(type)) vm.runInContext(js, context, { filename: `${type}.html` });
  // What the editor script itself gives each type (the HTML adds its literals), for checking nothing is dropped.
  Object.defineProperty(registered, "given", { value: (type) => context.window.TcpAutomation.definition(type) });
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

module.exports = { loadEditorScript, invalidProps, inlineScripts, TYPES };
