/**
 * The connection managers' tables, read when scraped: open connections and
 * the bytes of live connections come from the sockets themselves (Node.js
 * counts every byte), so the hot path does nothing for them.
 */

/** What a scrape reads of one live session (lib/sessions Session has these). */
export interface LiveSession {
  readonly owner: { readonly id: string };
  readonly socket: { readonly bytesRead: number; readonly bytesWritten: number };
}

/** A manager's table of live sessions (lib/sessions SessionRegistry). */
export interface SessionSource {
  readonly size: number;
  sessions(): IterableIterator<LiveSession>;
}

const sources = new Map<string, SessionSource>();

/** A manager started (or the default one was loaded): its table is read by every scrape. */
export function addSessionSource(managerId: string, source: SessionSource): void {
  sources.set(managerId, source);
}

/** The manager stopped: no series of its own any more. */
export function removeSessionSource(managerId: string, source: SessionSource): void {
  if (sources.get(managerId) === source) sources.delete(managerId);
}

export function sessionSources(): ReadonlyMap<string, SessionSource> {
  return sources;
}
