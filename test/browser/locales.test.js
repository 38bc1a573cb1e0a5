"use strict";
// The editor's second language: every en-US catalog key has a German text with
// the same __placeholders__, and every node has German help with the same parts.
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { PKG, ROOT } = require("../../scripts/lib/userdir");
const { nodeHtml } = require("../../scripts/lib/node-html");

const TYPES = Object.keys(PKG["node-red"].nodes);
const LANGS = ["en-US", "de"];
const read = (lang, file) => fs.readFileSync(path.join(ROOT, "locales", lang, file), "utf8");

/** Every leaf of a catalog as "a.b.c" → text. */
function leaves(obj, prefix = "", out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === "object") leaves(v, `${prefix}${k}.`, out);
    else out[prefix + k] = v;
  }
  return out;
}
const placeholders = (s) => (String(s).match(/__[A-Za-z0-9]+__/g) || []).sort();

describe("message catalogs and help in every language", function () {
  for (const type of TYPES) {
    it(`${type}: de has every en-US key, with the same placeholders`, function () {
      const en = leaves(JSON.parse(read("en-US", `${type}.json`)));
      const de = leaves(JSON.parse(read("de", `${type}.json`)));
      const missing = Object.keys(en).filter((k) => !(k in de));
      assert.deepStrictEqual(missing, [], `keys missing in locales/de/${type}.json`);
      const extra = Object.keys(de).filter((k) => !(k in en));
      assert.deepStrictEqual(extra, [], `keys in locales/de/${type}.json that en-US does not have`);
      for (const k of Object.keys(en)) {
        assert.deepStrictEqual(placeholders(de[k]), placeholders(en[k]), `${type}.${k}: placeholders`);
        assert.ok(String(de[k]).trim() !== "", `${type}.${k} is empty in de`);
      }
    });

    it(`${type}: every catalog key its edit dialog names exists`, function () {
      const html = nodeHtml(type);
      const en = leaves(JSON.parse(read("en-US", `${type}.json`))[type]);
      const used = [...html.matchAll(/data-i18n="(?:\[[a-z]+\])?([\w-]+)\.([\w.-]+)"/g)].filter((m) => m[1] === type).map((m) => m[2]);
      assert.ok(used.length > 2, "the dialog takes its texts from the catalog");
      assert.deepStrictEqual(
        used.filter((k) => !(k in en)),
        [],
        `keys used in nodes/${type}.html but missing in locales/en-US/${type}.json`,
      );
    });

    it(`${type}: help in every language, Node-RED style (summary first, same sections)`, function () {
      const shape = LANGS.map((lang) => {
        const html = read(lang, `${type}.html`);
        assert.ok(html.includes(`data-help-name="${type}"`), `${lang}/${type}.html is the help of ${type}`);
        const first = /<script[^>]*>\s*<(\w+)>([^<]+)/.exec(html);
        assert.ok(first && first[1] === "p" && first[2].trim().length > 20, `${lang}/${type}.html starts with a one-line summary`);
        return { h3: (html.match(/<h3>/g) || []).length, dl: (html.match(/<dl/g) || []).length };
      });
      assert.ok(shape[0].h3 >= 2, "en-US help has sections");
      assert.deepStrictEqual(shape[1], shape[0], "de help has the same sections and property lists as en-US");
    });
  }
});
