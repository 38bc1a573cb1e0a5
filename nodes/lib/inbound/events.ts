/**
 * Connection event messages (the optional second output): one shape for
 * every node, so a Switch on msg.event works the same everywhere.
 */
import type { TcpSessionRef } from "./stream";

export type ConnectionEvent =
  | "connected"
  | "closed"
  | "error"
  | "timeout"
  | "refused"
  | "listening"
  | "dialling"
  | "dial-failed"
  /** The bridge: a peer connected to us / we dialled the peer. */
  | "connected-in"
  | "connected-out"
  /** The tcp client: the next attempt is due (msg.attempt, msg.wait ms). */
  | "reconnecting"
  /** The tcp client: a bounded round of attempts was used up. */
  | "gave-up"
  /** The tcp client: no answer to a heartbeat; the link is closed and dialled again. */
  | "heartbeat-lost"
  /** The tcp client: a message was refused or dropped by the full queue. */
  | "queue-full"
  /** The tcp client, request mode: a frame with no request in flight, or a late reply. */
  | "unsolicited";

export interface EventPeer {
  ip: string;
  port: number;
  localPort: number;
  sessionId?: string;
}

export interface EventMessage {
  payload: ConnectionEvent;
  event: ConnectionEvent;
  topic: string;
  ip: string;
  port: number;
  localPort: number;
  /** Live connections of the node after this event. */
  connections: number;
  _session?: TcpSessionRef;
  /** closed/refused: why (a reason code such as "peer", "timeout", "max-connections"). */
  reason?: string;
  /** error: what went wrong. */
  error?: { message: string; code?: string };
  /** Who opened the connection: "in" the peer, "out" this node. */
  direction?: "in" | "out";
  [key: string]: unknown;
}

/** A refusal's reason for logs, with what TLS said when there is one: "tls (peer did not return a certificate)". */
export function refusalText(reason: string, error?: Error): string {
  return error ? `${reason} (${error.message})` : reason;
}

export function eventMessage(
  event: ConnectionEvent,
  topic: string,
  peer: EventPeer,
  connections: number,
  extra?: { reason?: string; error?: Error & { code?: string }; direction?: "in" | "out" },
): EventMessage {
  const msg: EventMessage = { payload: event, event, topic, ip: peer.ip, port: peer.port, localPort: peer.localPort, connections };
  if (peer.sessionId) msg._session = { type: "tcp", id: peer.sessionId };
  if (peer.ip === "") msg.peerUnknown = true; // reset before it was accepted: the address is gone (connection.ts)
  if (extra?.reason) msg.reason = extra.reason;
  if (extra?.direction) msg.direction = extra.direction;
  if (extra?.error)
    msg.error = extra.error.code ? { message: extra.error.message, code: extra.error.code } : { message: extra.error.message };
  return msg;
}
