"use strict";
// The Flow Library's scorecard (node-red-dev validate) reads each node's definition from the inline script of its
// HTML: RED.nodes.registerType with a literal type and an object literal whose category, colour, ports and icon are
// literals. Anything else is "Unable to parse" there, and the node checks (unique names, an example per node) do not
// run. Here: each HTML parses that way, and the behaviour the editor script gives is passed on whole.
const assert = require("assert");
const acorn = require("acorn");
const { loadEditorScript, inlineScripts, TYPES } = require("../helpers/editor-script");

/** The registerType calls of a script: [type literal, the object literal's properties]. */
function registrations(js) {
  const out = [];
  (function walk(/** @type {any} */ n) {
    if (!n || typeof n.type !== "string") return;
    if (n.type === "CallExpression" && n.callee.type === "MemberExpression" && n.callee.property.name === "registerType") {
      out.push(n.arguments);
    }
    for (const v of Object.values(n)) {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") walk(v);
    }
  })(acorn.parse(js, { ecmaVersion: "latest" }));
  return out;
}

describe("node definitions the Flow Library can read", function () {
  const registered = /** @type {any} */ (loadEditorScript());
  for (const type of TYPES) {
    it(`${type}: one registerType with a literal type and literal category, colour, ports and icon`, function () {
      const calls = inlineScripts(type).flatMap(registrations);
      assert.strictEqual(calls.length, 1, "one registration");
      const [name, def] = calls[0];
      assert.strictEqual(name.type, "Literal");
      assert.strictEqual(name.value, type);
      assert.strictEqual(def.type, "ObjectExpression");
      assert.ok(
        def.properties.every((p) => p.type === "Property"),
        "no spread: the scorecard reads each key",
      );
      const literal = Object.fromEntries(def.properties.filter((p) => p.value.type === "Literal").map((p) => [p.key.name, p.value.value]));
      const needed = literal.category === "config" ? ["category"] : ["category", "color", "inputs", "outputs", "icon"];
      for (const key of needed) assert.ok(key in literal, `${key} is a literal`);
      // Everything the editor script defines for the type reaches Node-RED.
      const passed = def.properties.map((p) => p.key.name);
      const given = Object.keys(registered.given(type));
      assert.deepStrictEqual(given.sort(), passed.filter((k) => !(k in literal)).sort());
    });
  }
});
