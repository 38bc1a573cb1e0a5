// ESLint for the whole project: type-aware typescript-eslint rules for the runtime (nodes/), the recommended
// JavaScript rules for tests, scripts, the benchmark and the editor scripts (resources/). Formatting is
// Prettier's (.prettierrc.json), so no stylistic rule is on here.
"use strict";
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");
const globals = require("globals");

module.exports = tseslint.config(
  { ignores: ["dist/", "node_modules/", ".compat/", ".node-red-dev/", "test/.tmp/", "bench/.tmp/"] },
  js.configs.recommended,
  {
    files: ["nodes/**/*.ts"],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      // Numbers and booleans in catalog substitutions and log texts are meant to be printed as they are.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // `(err) => done(err)` and `() => socket.destroy()` as callbacks are the idiom of Node's event APIs; a
      // void returned from a one-expression arrow, or `return cb(err)` in a void function, confuses nobody.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // Node-RED's node constructors are called with `this` as the node and name it `node` for the closures they
      // register (Node-RED's own convention); the session registry does the same for its one shared listener.
      "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["node", "registry"] }],
    },
  },
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { ...globals.node } },
  },
  {
    files: ["test/**/*.js"],
    languageOptions: { globals: { ...globals.mocha } },
  },
  {
    files: ["resources/**/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser, RED: "readonly", $: "readonly", jQuery: "readonly" } },
  },
  {
    // Code that runs inside the editor page, sent there by the browser tests (page.evaluate).
    files: ["test/browser/**/*.js"],
    languageOptions: { globals: { RED: "readonly", $: "readonly", window: "readonly", document: "readonly" } },
  },
);
