/**
 * Session ids <-> live sockets: Q-SYS's "table of sockets", kept by the
 * registry itself so that no flow has to remember to remove anything.
 *
 * An entry exists exactly as long as its socket is open: it is removed on the
 * socket's 'close' event. A short, bounded memory of recently closed ids turns
 * "reply to a session that is gone" into an error that says when and why it
 * went, instead of a bare "unknown".
 */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { CodedError, type CatalogEntry } from "../base/coded-error";
import { resetSocket } from "../base/socket-reset";
import { tapSocket, TrafficStore, type Capture } from "../traffic";

export interface SessionOwner {
  id: string;
  type: string;
  name?: string;
  /** The node emits a connection's data only once it closed ("on client disconnect"). */
  emitsOnClose?: boolean;
  /** Where the bytes of the owner's closed sessions add up (lib/metrics); live ones are read from their sockets. */
  tally?: { bytesIn: number; bytesOut: number };
  /** Keep the connection's recent traffic for the manager's traffic view (lib/traffic). */
  traffic?: boolean;
}

export interface SessionMeta {
  remoteAddress: string;
  remotePort: number;
  localPort: number;
  owner: SessionOwner;
  /** "in": the peer connected to us; "out": we dialled the peer. */
  direction: "in" | "out";
}

/** Why a session ended; nodes turn these into text through their message catalog. */
export type CloseReason =
  | "peer"
  | "error"
  | "timeout"
  | "idle"
  | "frame-too-large"
  | "stopped"
  | "admin"
  | "reply"
  | "manager-closed"
  | "refused"
  /** A broadcast closed it: more than the pending bound waited for it (slow clients: close). */
  | "slow";

export interface Session extends SessionMeta {
  readonly id: string;
  readonly socket: Socket;
  readonly connectedAt: number;
  /** Why it is closing; the first reason set wins. */
  closeReason?: CloseReason;
  /** "address:port" of the peer, made on first use (see sessionLabel). */
  label?: string;
  /** Its recent traffic; null: its node keeps traffic but the manager's budget was used up; undefined: off. */
  traffic?: Capture | null;
}

/** "address:port" of a session's peer ("[v6]:port" for IPv6), computed once per session. */
export function sessionLabel(s: Session): string {
  return (s.label ??= peerLabel(s.remoteAddress, s.remotePort));
}

export interface SessionSummary {
  id: string;
  remoteAddress: string;
  remotePort: number;
  localPort: number;
  ownerId: string;
  ownerType: string;
  ownerName: string;
  direction: "in" | "out";
  connectedAt: number;
  bytesIn: number;
  bytesOut: number;
  /** Its traffic view: kept ("on"), not kept for want of budget ("budget"), or its node keeps none ("off"). */
  traffic: "on" | "budget" | "off";
}

interface Gone {
  closedAt: number;
  reason: CloseReason;
  peer: string;
  emitsOnClose: boolean;
}

export type SessionErrorCode = "ESESSIONUNKNOWN" | "ESESSIONCLOSED" | "ESESSIONINVALID";

export interface SessionErrorDetail {
  sessionId: string;
  peer?: string;
  reason?: CloseReason;
  /** How long ago it closed, in ms. */
  ago?: number;
  /** Its node emits data only on disconnect, so its messages always find the session closed. */
  emitsOnClose?: boolean;
}

export class SessionError extends CodedError {
  declare readonly code: SessionErrorCode;
  constructor(
    code: SessionErrorCode,
    message: string,
    readonly detail: SessionErrorDetail,
  ) {
    super(code, message);
    this.name = "SessionError";
  }

  override catalog(): CatalogEntry {
    const d = this.detail;
    const seconds = d.ago === undefined ? 0 : (d.ago / 1000).toFixed(1);
    // The hint about nodes that emit on client disconnect only where it applies: such a node's session.
    const key = this.code === "ESESSIONCLOSED" && d.reason === "peer" && d.emitsOnClose === true ? "ESESSIONCLOSED-peer" : this.code;
    return { key: `session.${key}`, subs: { session: d.sessionId, peer: d.peer, reason: d.reason, seconds } };
  }
}

export const RECENTLY_CLOSED_LIMIT = 1024;

export function newSessionId(): string {
  return randomBytes(8).toString("hex");
}

/** The address of a peer that reset its connection before it was accepted (see connection.ts). */
export const UNKNOWN_PEER = "";

export function peerLabel(address: string, port: number): string {
  if (address === UNKNOWN_PEER) return "(unknown peer)";
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

const kSession = Symbol("tcp-automation.session");
type Tagged = Socket & { [kSession]?: Session };

export class SessionRegistry {
  private readonly live = new Map<string, Session>();
  private readonly recent = new Map<string, Gone>();
  /** The recent traffic of the sessions whose owner keeps it. */
  readonly traffic: TrafficStore;
  /** One 'close' listener for all sockets of this registry (no closure per connection). */
  private readonly onSocketClose: (this: Tagged, hadError: boolean) => void;

  constructor(
    private readonly recentLimit = RECENTLY_CLOSED_LIMIT,
    private readonly now: () => number = Date.now,
    traffic?: TrafficStore,
  ) {
    this.traffic = traffic ?? new TrafficStore(undefined, now);
    const registry = this;
    this.onSocketClose = function (this: Tagged, hadError: boolean) {
      const s = this[kSession];
      if (s) registry.remove(s, hadError ? "error" : "peer");
    };
  }

  /** Registers an open socket; the entry goes away by itself when the socket closes. */
  add(socket: Socket, meta: SessionMeta): Session {
    // Spelled out, not spread: a spread gave every session a hidden class of its own (~300 bytes each).
    const session: Session = {
      id: newSessionId(),
      socket,
      remoteAddress: meta.remoteAddress,
      remotePort: meta.remotePort,
      localPort: meta.localPort,
      owner: meta.owner,
      direction: meta.direction,
      connectedAt: this.now(),
      closeReason: undefined,
      label: undefined,
      traffic: undefined,
    };
    this.live.set(session.id, session);
    (socket as Tagged)[kSession] = session;
    socket.on("close", this.onSocketClose);
    if (meta.owner.traffic === true) this.capture(session);
    return session;
  }

  /** Starts keeping a session's traffic (before anyone else reads or writes it), if the budget allows. */
  private capture(s: Session): void {
    const o = s.owner;
    const c = this.traffic.open({
      session: s.id,
      peer: sessionLabel(s),
      owner: { id: o.id, type: o.type, name: o.name ?? "" },
      localPort: s.localPort,
      direction: s.direction,
    });
    s.traffic = c;
    if (c) tapSocket(s.socket, c);
  }

  get size(): number {
    return this.live.size;
  }

  get(id: string): Session | undefined {
    return this.live.get(id);
  }

  /** The live session for id, or a SessionError that says why there is none. */
  lookup(id: unknown): Session | SessionError {
    if (typeof id !== "string" || id === "") {
      return new SessionError("ESESSIONINVALID", `msg._session.id must be a non-empty string (got ${describe(id)})`, {
        sessionId: String(id),
      });
    }
    const s = this.live.get(id);
    if (s && !s.socket.destroyed && s.socket.writable) return s;
    const gone = this.recent.get(id);
    if (gone) {
      const ago = this.now() - gone.closedAt;
      return new SessionError("ESESSIONCLOSED", `session ${id} (${gone.peer}) closed ${(ago / 1000).toFixed(1)} s ago: ${gone.reason}`, {
        sessionId: id,
        peer: gone.peer,
        reason: gone.reason,
        ago,
        emitsOnClose: gone.emitsOnClose,
      });
    }
    if (s) {
      const peer = peerLabel(s.remoteAddress, s.remotePort);
      return new SessionError("ESESSIONCLOSED", `session ${id} (${peer}) is closing`, {
        sessionId: id,
        peer,
        reason: s.closeReason ?? "peer",
        ago: 0,
        emitsOnClose: s.owner.emitsOnClose === true,
      });
    }
    return new SessionError(
      "ESESSIONUNKNOWN",
      `session ${id} is not known to this connection manager (never opened here, or closed long ago)`,
      {
        sessionId: id,
      },
    );
  }

  /**
   * Closes a session at once, remembering why. With reset, the connection ends with an RST, so nothing
   * still queued for the peer is sent (socket-reset.ts). Returns false when it is not live.
   */
  close(id: string, reason: CloseReason, reset = false): boolean {
    const s = this.live.get(id);
    if (!s) return false;
    s.closeReason ??= reason;
    if (reset) resetSocket(s.socket);
    else s.socket.destroy();
    return true;
  }

  /** The live sessions, in the order they connected (no copy: do not add or close while iterating). */
  sessions(): IterableIterator<Session> {
    return this.live.values();
  }

  list(ownerId?: string): SessionSummary[] {
    const out: SessionSummary[] = [];
    for (const s of this.live.values()) {
      if (ownerId !== undefined && s.owner.id !== ownerId) continue;
      out.push({
        id: s.id,
        remoteAddress: s.remoteAddress,
        remotePort: s.remotePort,
        localPort: s.localPort,
        ownerId: s.owner.id,
        ownerType: s.owner.type,
        ownerName: s.owner.name ?? "",
        direction: s.direction,
        connectedAt: s.connectedAt,
        bytesIn: s.socket.bytesRead,
        bytesOut: s.socket.bytesWritten,
        traffic: s.traffic ? "on" : s.traffic === null ? "budget" : "off",
      });
    }
    return out;
  }

  private remove(session: Session, fallbackReason: CloseReason): void {
    if (this.live.get(session.id) !== session) return;
    this.live.delete(session.id);
    const tally = session.owner.tally;
    if (tally) {
      tally.bytesIn += session.socket.bytesRead;
      tally.bytesOut += session.socket.bytesWritten;
    }
    if (session.traffic) this.traffic.ended(session.traffic, session.closeReason ?? fallbackReason);
    this.recent.set(session.id, {
      closedAt: this.now(),
      reason: session.closeReason ?? fallbackReason,
      peer: peerLabel(session.remoteAddress, session.remotePort),
      emitsOnClose: session.owner.emitsOnClose === true,
    });
    if (this.recent.size > this.recentLimit) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "string" ? "an empty string" : typeof v;
}
