/**
 * The safety net under a node's close: Node-RED gives a close handler 15 s
 * and then goes on without it. A node that drains its jobs for `drainMs`
 * calls done() at the latest this long after close starts; with jobs kept on
 * disk, later, leaving room for the journal's last sync (a journal still
 * writing while the next deploy's node opens it would write to a file that
 * is already replaced). Always under Node-RED's 15 s.
 */
export const CLOSE_GUARD_LIMIT_MS = 14_500;

export function closeGuardMs(drainMs: number, kept: boolean): number {
  return Math.min(CLOSE_GUARD_LIMIT_MS, Math.max(0, drainMs) + 500 + (kept ? 5000 : 0));
}
