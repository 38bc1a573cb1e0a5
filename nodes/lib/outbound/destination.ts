/**
 * Where a job goes: "host", "host:port", "[::1]:9100" (Loftware's
 * [hostname]:[port]) or a host and a port given apart, checked, and the rule
 * that picks between what the node says and what the message says.
 *
 * Precedence, per job:
 *  1. host text: the node's Host field when it is set; otherwise
 *     msg.destination; otherwise msg.host.
 *  2. port: a port written inside that host text; otherwise the node's Port
 *     field when it is set; otherwise msg.port.
 * A node field that is set but evaluates to nothing (msg.printer missing) is
 * an error, never a silent fallback to another source.
 */
import { CodedError, type CatalogEntry } from "../base/coded-error";
import { destinationPort, splitHostPort as split, type HostPortProblem } from "../schema";
import { peerLabel } from "../sessions/registry";

export interface Destination {
  host: string;
  port: number;
}

/** Why a destination cannot be used; the node turns `reason` into catalog text. */
export type DestinationReason = HostPortProblem;

export class DestinationError extends CodedError {
  declare readonly code: "EDESTINATION";
  constructor(
    readonly reason: DestinationReason,
    readonly value: string,
  ) {
    super("EDESTINATION", `${reason}: ${value}`);
    this.name = "DestinationError";
  }

  override catalog(): CatalogEntry {
    return { key: `destination.${this.reason}`, subs: { value: this.value } };
  }
}

/** What a job's sources gave; `undefined` for a node field means "not set in the node". */
export interface DestinationSources {
  nodeHost?: unknown;
  nodePort?: unknown;
  msgDestination?: unknown;
  msgHost?: unknown;
  msgPort?: unknown;
}

/** "host:port" for messages, status and queue keys; IPv6 in brackets. */
export function destinationLabel(d: Destination): string {
  return peerLabel(d.host, d.port);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined) return String(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v;
}

export function checkPort(v: unknown): number {
  const port = destinationPort(v);
  if (port === undefined) throw new DestinationError("bad-port", describe(v));
  return port;
}

/**
 * Splits "host", "host:port", "[v6]", "[v6]:port"; a bare IPv6 literal ("::1")
 * is a host without a port. The host is checked; the port, when present, too
 * (the rules are lib/schema's, which the editor shares).
 */
export function splitHostPort(text: string): { host: string; port?: number } {
  const r = split(text);
  if (!r.ok) throw new DestinationError(r.problem, describe(r.part));
  return r.port === undefined ? { host: r.host } : { host: r.host, port: r.port };
}

/** Parses a complete "host:port" ("[v6]:port"); a missing port is an error. */
export function parseDestination(text: string): Destination {
  const d = splitHostPort(text);
  if (d.port === undefined) throw new DestinationError("no-port", describe(text));
  return { host: d.host, port: d.port };
}

function hostText(v: unknown): string {
  if (typeof v !== "string") throw new DestinationError("bad-host", describe(v));
  return v;
}

/** Applies the precedence rule of this module's header to one job. */
export function resolveDestination(src: DestinationSources): Destination {
  let text: unknown;
  let fromMessage = false;
  if (src.nodeHost !== undefined) {
    if (isEmpty(src.nodeHost)) throw new DestinationError("no-host", describe(src.nodeHost));
    text = src.nodeHost;
  } else if (!isEmpty(src.msgDestination)) {
    text = src.msgDestination;
    fromMessage = true;
  } else if (!isEmpty(src.msgHost)) {
    text = src.msgHost;
    fromMessage = true;
  } else {
    throw new DestinationError("no-host", "");
  }
  const split = splitHostPort(hostText(text));
  if (split.port !== undefined) return { host: split.host, port: split.port };
  if (src.nodePort !== undefined) {
    if (isEmpty(src.nodePort)) throw new DestinationError("no-port", describe(src.nodePort));
    return { host: split.host, port: checkPort(src.nodePort) };
  }
  if (!isEmpty(src.msgPort)) return { host: split.host, port: checkPort(src.msgPort) };
  throw new DestinationError("no-port", fromMessage ? describe(text) : describe(src.nodeHost));
}
