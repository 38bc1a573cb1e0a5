/**
 * The send node in "send to connections" mode, without Node-RED: each input's
 * data goes to every live session its targets pick (or msg._sessions names),
 * in input order; the message goes on with msg.tcp (matched, written, failed)
 * once every session has taken its bytes or failed, and when any failed it
 * also ends with EBROADCAST for a Catch node. A slow or stalled client fails
 * alone (broadcast.ts) and never holds up the others' bytes.
 */
import { CodedError, codedError, type CatalogEntry, type Translate } from "../base/coded-error";
import type { Session, SessionRegistry } from "../sessions/registry";
import {
  explicitIds,
  fanOut,
  selectSessions,
  sessionFilter,
  type BroadcastResult,
  type BroadcastTargets,
  type FanOutOptions,
} from "./broadcast";
import { OrderedData } from "./ordered-data";
import { Outcomes, type Load } from "./outcomes";
import { sessionIdOf } from "./reply";
import { WaitingSet, type Waiter } from "./waiting";
import type { Done, Evaluate, Msg, ReadNow, Send, ShowStatus } from "./node-io";

export interface BroadcastControllerOptions {
  registry: SessionRegistry;
  targets: BroadcastTargets;
  /** Leave out the session the message came from (msg._session): a relay or chat. */
  exceptSender: boolean;
  fan: FanOutOptions;
  data: Evaluate;
  dataNow?: ReadNow;
  encoding: string;
  /** At stop, how long broadcasts still being written may take. */
  drainMs: number;
  t: Translate;
  status: ShowStatus;
  wired: boolean;
}

/** Some of a broadcast's sessions did not get it: how many, and the codes. */
export class BroadcastError extends CodedError {
  constructor(readonly result: BroadcastResult) {
    super("EBROADCAST", `${result.failed.length} of ${result.matched} connections did not get the message: ${codeCounts(result)}`);
    this.name = "BroadcastError";
  }

  override catalog(): CatalogEntry {
    const r = this.result;
    return { key: "broadcast-failed", subs: { failed: r.failed.length, matched: r.matched, codes: codeCounts(r) } };
  }
}

/** msg._sessions is there but is not a list of sessions. */
export class SessionsInvalidError extends CodedError {
  constructor(readonly value: unknown) {
    super("ESESSIONINVALID", "msg._sessions must be an array of session ids or of msg._session objects");
    this.name = "SessionsInvalidError";
  }

  override catalog(): CatalogEntry {
    return { key: "sessions-invalid", subs: { value: Array.isArray(this.value) ? "array" : typeof this.value } };
  }
}

/** "EBUFFERFULL ×2, ETIMEDOUT ×1". */
function codeCounts(r: BroadcastResult): string {
  const counts = new Map<string, number>();
  for (const f of r.failed) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  return [...counts].map(([code, n]) => `${code} ×${n}`).join(", ");
}

export class BroadcastController implements Load {
  private readonly data: OrderedData;
  private readonly waiting = new WaitingSet();
  private readonly out: Outcomes;
  /** The filter when no sender is left out (the common case): made once. */
  private readonly keep: (s: Session) => boolean;

  constructor(private readonly o: BroadcastControllerOptions) {
    this.data = new OrderedData(o);
    this.out = new Outcomes({ t: o.t, status: o.status, wired: o.wired, unverified: false, idleKey: "status.broadcast" }, this);
    this.keep = sessionFilter(o.targets);
  }

  /** Broadcasts waiting for slow clients. */
  get running(): number {
    return this.waiting.size;
  }

  get queued(): number {
    return 0;
  }

  input(msg: Msg, send: Send, done: Done): void {
    const now = this.data.now(msg);
    if (now !== undefined) {
      if (now instanceof Error) this.out.fail(done, now, "");
      else this.broadcast(msg, send, done, now);
      return;
    }
    this.data.later(msg, (data) => (data instanceof Error ? this.out.fail(done, data, "") : this.broadcast(msg, send, done, data)));
  }

  close(done: () => void): void {
    this.waiting.close(
      this.o.drainMs,
      () => codedError(this.o.t("errors.broadcast-stopped"), "ESTOPPED"),
      () => this.out.stop(),
      done,
    );
  }

  private targetsOf(msg: Msg): readonly (Session | string)[] | Error {
    const { o } = this;
    if (msg._sessions !== undefined) return explicitIds(msg._sessions) ?? new SessionsInvalidError(msg._sessions);
    const sender = o.exceptSender ? sessionIdOf(msg._session) : undefined;
    return selectSessions(o.registry, typeof sender === "string" ? sessionFilter(o.targets, sender) : this.keep);
  }

  private broadcast(msg: Msg, send: Send, done: Done, data: Buffer): void {
    const targets = this.targetsOf(msg);
    if (targets instanceof Error) {
      this.out.fail(done, targets, "");
      return;
    }
    // Settled at once (no client had bytes waiting), or later: then it waits in this.waiting.
    const state: { settled: boolean; waiter?: Waiter } = { settled: false };
    fanOut(this.o.registry, targets, data, this.o.fan, (r) => {
      state.settled = true;
      if (state.waiter && !this.waiting.end(state.waiter)) return; // already ended at stop
      msg.tcp = r;
      if (r.failed.length === 0) this.out.deliver(msg, send, done);
      else this.out.partly(msg, send, done, new BroadcastError(r), "");
    });
    if (!state.settled) {
      state.waiter = this.waiting.add(msg, done);
      this.out.show();
    }
  }
}
