/**
 * The editor's answers to the schemas' questions: which encoding names
 * iconv-lite knows, from the list the build took from the installed
 * iconv-lite, looked up the way iconv-lite looks them up.
 */
import { iconvKey, type Env } from "../lib/schema";
// The build writes iconv-names as a CommonJS module (module.exports = [...]); TypeScript's form for it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import names = require("./iconv-names");

const KNOWN = new Set(names);

export const EDITOR_ENV: Env = { knowsEncoding: (name) => KNOWN.has(iconvKey(name)) };
