"use strict";
// The rows are in each node's template, where Node-RED expects them; the
// schema is where their properties are declared. Both must name the same
// properties: a field for every property the editor stores (outputs follows the
// events checkbox), a property for every field, a select for every property
// with options (a typed input's type is its hidden field), a checkbox for every
// checkbox property.
const assert = require("assert");
const { lib } = require("../helpers");
const { nodeHtml } = require("../../scripts/lib/node-html");
const { NODE_SCHEMAS } = lib("schema/index.js");

const EDITOR_ONLY = new Set(["outputs"]);

function fields(type) {
  const html = nodeHtml(type);
  const template = html.slice(html.indexOf(`data-template-name="${type}"`));
  const prefix = type === "tcp-connection-manager" ? "node-config-input-" : "node-input-";
  const out = {};
  for (const m of template.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
    const id = /\bid="([^"]+)"/.exec(m[2]);
    if (!id || !id[1].startsWith(prefix)) continue;
    const kind = m[1] === "input" ? (/\btype="([^"]+)"/.exec(m[2])?.[1] ?? "text") : m[1];
    out[id[1].slice(prefix.length)] = kind;
  }
  return out;
}

const NODE_PICKS = new Set(["targetNode"]);

describe("each node's template and its schema", function () {
  for (const [type, schema] of Object.entries(NODE_SCHEMAS)) {
    it(`${type}: the same properties, each with the right kind of field`, function () {
      const f = fields(type);
      assert.deepStrictEqual(
        Object.keys(f).sort(),
        Object.keys(schema)
          .filter((n) => !EDITOR_ONLY.has(n))
          .sort(),
      );
      for (const [name, prop] of Object.entries(schema)) {
        if (EDITOR_ONLY.has(name)) continue;
        // A node picked from the flows (the broadcast's node): a select the editor script fills.
        if (NODE_PICKS.has(name)) assert.strictEqual(f[name], "select", name);
        else if (prop.options)
          assert.ok(f[name] === "select" || (f[name] === "hidden" && /Type$/.test(name)), `${name}: a select (${f[name]})`);
        else if (typeof prop.value === "boolean") assert.strictEqual(f[name], "checkbox", name);
        else assert.ok(["text", "textarea", "hidden"].includes(f[name]), `${name}: ${f[name]}`);
      }
    });
  }
});
