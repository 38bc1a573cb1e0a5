/**
 * Hosts and ports as the nodes take them: an IP literal (IPv6 may be
 * bracketed) or a host name; "host:port", "[v6]:port" or a bare IPv6 literal
 * as one destination text (Loftware's [hostname]:[port]); and the kinds of
 * property made of them.
 */
import { ok, refused, type Common, declared, type Declared, type Reading } from "./core";
import { isIP } from "./ip";
import { toInt } from "./numbers";

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** A host: undefined for none ("" or absent), the host without brackets, or refused (anything but a string, or malformed). */
export function readHost(v: unknown): Reading<string | undefined> {
  if (v !== undefined && v !== null && typeof v !== "string") return refused(String(v));
  const h = typeof v === "string" ? v.trim() : "";
  if (h === "") return ok(undefined);
  const unbracketed = h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
  return isIP(unbracketed) || HOSTNAME.test(unbracketed) ? ok(unbracketed) : refused(h);
}

/** A port given in a destination or a message: a number, or digits (blanks around allowed); undefined when it is none. */
export function destinationPort(v: unknown): number | undefined {
  const digits = typeof v === "number" || (typeof v === "string" && /^\s*[0-9]+\s*$/.test(v));
  const n = toInt(v, NaN);
  return digits && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

export type HostPortProblem = "no-host" | "no-port" | "bad-host" | "bad-port" | "bad-destination";

/** A destination text split, or what is wrong with it and the part at fault. */
export type HostPort = { ok: true; host: string; port?: number } | { ok: false; problem: HostPortProblem; part: unknown };

const fault = (problem: HostPortProblem, part: unknown): HostPort => ({ ok: false, problem, part });

function hostPart(h: string): HostPort {
  const r = readHost(h);
  if (!r.ok) return fault("bad-host", h);
  return r.value === undefined ? fault("no-host", h) : { ok: true, host: r.value };
}

/**
 * Splits "host", "host:port", "[v6]", "[v6]:port"; a bare IPv6 literal ("::1")
 * is a host without a port. The host is checked; the port, when present, too.
 */
export function splitHostPort(text: string): HostPort {
  const s = text.trim();
  if (s === "") return fault("no-host", text);
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0) return fault("bad-destination", text);
    const host = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (isIP(host) !== 6) return fault("bad-host", text);
    if (rest === "") return { ok: true, host };
    if (!rest.startsWith(":")) return fault("bad-destination", text);
    const port = destinationPort(rest.slice(1));
    return port === undefined ? fault("bad-port", rest.slice(1)) : { ok: true, host, port };
  }
  const colons = s.split(":").length - 1;
  if (colons === 0) return hostPart(s);
  // Several colons without brackets: only a whole IPv6 literal makes sense.
  if (colons > 1) return isIP(s) === 6 ? { ok: true, host: s } : fault("bad-destination", text);
  const at = s.indexOf(":");
  const portText = s.slice(at + 1);
  if (portText.trim() === "") return fault("no-port", text);
  const host = hostPart(s.slice(0, at));
  if (!host.ok) return host;
  const port = destinationPort(portText);
  return port === undefined ? fault("bad-port", portText) : { ok: true, host: host.host, port };
}

/** An address to listen on: "" (or absent) for every interface. */
export function host<D extends Common & { message: string }>(spec: D): Declared<string | undefined, D> {
  return declared<string | undefined, D>({ ...spec, read: readHost });
}

/** A host that must be given (the bridge's peer). */
export function requiredHost<D extends Common & { message: string }>(spec: D): Declared<string, D> {
  return declared<string, D>({
    ...spec,
    read(raw) {
      const r = readHost(raw);
      if (!r.ok) return r;
      return r.value === undefined ? refused("") : ok(r.value);
    },
  });
}
