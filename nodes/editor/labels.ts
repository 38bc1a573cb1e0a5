/** Texts the nodes show about themselves. */
import { splitHostPort } from "../lib/schema";

/** A host as part of host:port: IPv6 in brackets. */
export function hostLabel(host: unknown): string {
  const h = typeof host === "string" ? host : "";
  return h.includes(":") ? `[${h}]` : h;
}

/** Whether a fixed destination text already names its port ("printer:9100", "[::1]:9100"). */
export function hasOwnPort(text: unknown): boolean {
  const r = splitHostPort(typeof text === "string" ? text : "");
  return r.ok && r.port !== undefined;
}
