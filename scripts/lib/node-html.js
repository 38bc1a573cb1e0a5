// A node's editor HTML as Node-RED gets it: nodes/<type>.html with each
// "<!-- include: name -->" line replaced by nodes/templates/<name>.html, whose
// __TYPE__ becomes the node's type (its catalog keys are the node's own). The
// framing rows are the same on the trigger, the bridge and the tcp client;
// they are written once. Used by the build (copy-assets.js) and by the tests
// that read a node's form.
"use strict";
const fs = require("fs");
const path = require("path");

const NODES = path.join(__dirname, "..", "..", "nodes");
const INCLUDE = /^[ \t]*<!-- include: ([\w-]+) -->\n/gm;

function nodeHtml(type) {
  const html = fs.readFileSync(path.join(NODES, `${type}.html`), "utf8").replace(INCLUDE, (_line, name) => {
    const file = path.join(NODES, "templates", `${name}.html`);
    if (!fs.existsSync(file)) throw new Error(`nodes/${type}.html includes "${name}": nodes/templates/${name}.html does not exist`);
    return fs.readFileSync(file, "utf8").replaceAll("__TYPE__", type);
  });
  const left = /<!-- include:|__TYPE__/.exec(html);
  if (left) throw new Error(`nodes/${type}.html: "${left[0]}" left after the includes (an include must be a line of its own)`);
  return html;
}

module.exports = { nodeHtml };
