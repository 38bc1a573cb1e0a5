/**
 * EPERSIST: a job that could not be kept on disk, and why. The job fails;
 * the node and the jobs already kept go on.
 */
import { CodedError, type CatalogEntry } from "../base/coded-error";

/** full-jobs / full-bytes: a bound of the node; io: the disk refused (full, read-only, gone); closed: the node stops. */
export type PersistReason = "full-jobs" | "full-bytes" | "io" | "closed";

export class PersistError extends CodedError {
  declare readonly code: "EPERSIST";
  constructor(
    readonly reason: PersistReason,
    readonly limit: number,
    readonly cause?: Error,
  ) {
    super("EPERSIST", `job not kept (${reason}${cause ? `: ${cause.message}` : ""})`);
    this.name = "PersistError";
  }

  override catalog(): CatalogEntry {
    return { key: `persist.${this.reason}`, subs: { limit: this.limit, error: this.cause ? this.cause.message : "" } };
  }
}
