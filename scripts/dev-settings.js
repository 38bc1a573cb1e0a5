// Node-RED settings for `npm start`: loopback only, a user dir inside this
// checkout (git-ignored), and no first-run tour.
"use strict";
const path = require("path");

module.exports = {
  uiHost: process.env.HOST || "127.0.0.1",
  uiPort: Number(process.env.PORT) || 1880,
  userDir: path.join(__dirname, "..", ".node-red-dev"),
  flowFile: "flows.json",
  credentialSecret: false,
  logging: { console: { level: process.env.LOG_LEVEL || "info", metrics: false, audit: false } },
  editorTheme: { tours: false, projects: { enabled: false } },
  functionExternalModules: false,
};
