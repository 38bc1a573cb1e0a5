/**
 * A scrape: the plain numbers of every live node (node-metrics.ts) and the
 * managers' tables (sources.ts) are written into the prom-client metrics,
 * then the registry renders the Prometheus text format.
 *
 * Counters are rebuilt from the nodes' running totals on every scrape
 * (reset, then one inc per series): a node that is gone simply is not added
 * again, and nothing is counted twice.
 */
import { definitions, type NodeLabels } from "./definitions";
import { exportedNodes, type NodeMetrics } from "./node-metrics";
import { sessionSources } from "./sources";

interface Live {
  open: number;
  bytesIn: number;
  bytesOut: number;
}

/** Open connections and live bytes per owning node, over every manager's table. */
function liveByOwner(): Map<string, Live> {
  const out = new Map<string, Live>();
  for (const source of sessionSources().values())
    for (const s of source.sessions()) {
      let l = out.get(s.owner.id);
      if (!l) out.set(s.owner.id, (l = { open: 0, bytesIn: 0, bytesOut: 0 }));
      l.open++;
      l.bytesIn += s.socket.bytesRead;
      l.bytesOut += s.socket.bytesWritten;
    }
  return out;
}

function byKey(labels: NodeLabels, name: string, counts: Map<string, number>, inc: (l: Record<string, string>, n: number) => void): void {
  for (const [key, n] of counts) inc({ ...labels, [name]: key }, n);
}

function writeNode(m: NodeMetrics, live: Live | undefined): void {
  const d = definitions();
  const l = m.labels;
  const g = m.read?.() ?? {};
  d.open.set(l, (live?.open ?? 0) + (g.open ?? 0));
  d.queued.set(l, g.queued ?? 0);
  if (g.bufferedBytes !== undefined) d.buffered.set(l, g.bufferedBytes);
  d.accepted.inc(l, m.acceptedTotal);
  d.framesIn.inc(l, m.framesInTotal);
  d.messagesOut.inc(l, m.messagesOutTotal);
  d.bytesIn.inc(l, m.bytesInTotal + m.tally.bytesIn + (live?.bytesIn ?? 0));
  d.bytesOut.inc(l, m.bytesOutTotal + m.tally.bytesOut + (live?.bytesOut ?? 0));
  d.retries.inc(l, m.retriesTotal);
  byKey(l, "reason", m.refusedBy, (x, n) => d.refused.inc(x, n));
  byKey(l, "code", m.errorsBy, (x, n) => d.errors.inc(x, n));
  if (m.jobsTotal > 0) d.jobs.inc({ ...l, outcome: "ok" }, m.jobsOkTotal);
  byKey(l, "outcome", m.jobsBy, (x, n) => d.jobs.inc(x, n));
}

/** Writes the current numbers into the registry's metrics. */
export function collect(): void {
  const d = definitions();
  for (const metric of [
    d.open,
    d.queued,
    d.buffered,
    d.accepted,
    d.refused,
    d.framesIn,
    d.messagesOut,
    d.bytesIn,
    d.bytesOut,
    d.errors,
    d.jobs,
    d.retries,
  ])
    metric.reset();
  d.managerConnections.reset();
  const live = liveByOwner();
  for (const m of exportedNodes()) writeNode(m, live.get(m.labels.node_id));
  for (const [id, source] of sessionSources()) d.managerConnections.set({ manager_id: id }, source.size);
}

/** The Prometheus text exposition of this package's metrics, and its content type. */
export async function scrape(): Promise<{ contentType: string; body: string }> {
  collect();
  const { registry } = definitions();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
