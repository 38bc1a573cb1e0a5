/**
 * The send node in "send to connections" mode, without Node-RED: each input's
 * data goes to every live session its targets pick (or msg._sessions names),
 * in input order; the message goes on with msg.tcp (matched, written, failed)
 * once every session has taken its bytes or failed, and when any failed it
 * also ends with EBROADCAST for a Catch node. A slow or stalled client fails
 * alone (fan-out.ts) and never holds up the others' bytes.
 */
import { CodedError, codedError, type CatalogEntry } from "../base/coded-error";
import type { Session, SessionRegistry } from "../sessions/registry";
import { explicitIds, selectSessions, sessionFilter, type BroadcastResult, type BroadcastTargets, type FanOutOptions } from "./broadcast";
import { FanOut } from "./fan-out";
import { sessionIdOf } from "./reply";
import { SessionWriter, type SessionWriterOptions } from "./session-writer";
import type { Done, Msg, Send } from "./node-io";

export interface BroadcastControllerOptions extends SessionWriterOptions {
  registry: SessionRegistry;
  targets: BroadcastTargets;
  /** Leave out the session the message came from (msg._session): a relay or chat. */
  exceptSender: boolean;
  fan: FanOutOptions;
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

export class BroadcastController extends SessionWriter {
  /** The targets' filter, made once. */
  private readonly keep: (s: Session) => boolean;
  private readonly fan: FanOut;

  constructor(private readonly o: BroadcastControllerOptions) {
    super(o, "status.broadcast");
    this.keep = sessionFilter(o.targets);
    this.fan = new FanOut(o.registry, o.fan);
  }

  /** Messages whose writes wait behind a slow client; not those that only wait for the end of this turn. */
  override get running(): number {
    return super.running - this.fan.inTurn;
  }

  protected stopped(): Error {
    return codedError(this.o.t("errors.broadcast-stopped"), "ESTOPPED");
  }

  private targetsOf(msg: Msg): readonly (Session | string)[] | Error {
    const { o } = this;
    if (msg._sessions !== undefined) return explicitIds(msg._sessions) ?? new SessionsInvalidError(msg._sessions);
    const sender = o.exceptSender ? sessionIdOf(msg._session) : undefined;
    return selectSessions(o.registry, this.keep, typeof sender === "string" ? sender : undefined);
  }

  protected write(msg: Msg, send: Send, done: Done, data: Buffer): void {
    const targets = this.targetsOf(msg);
    if (targets instanceof Error) {
      this.out.fail(done, targets, "");
      return;
    }
    // Settled at the end of this turn of the event loop, or later behind a slow client; until then it waits.
    const waiter = this.waiting.add(msg, done);
    this.fan.send(targets, data, (r) => {
      if (!this.waiting.end(waiter)) return; // already ended at stop
      msg.tcp = r;
      if (r.failed.length === 0) this.out.deliver(msg, send, done);
      else this.out.partly(msg, send, done, new BroadcastError(r), "");
    });
  }
}
