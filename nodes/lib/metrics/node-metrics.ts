/**
 * What a node records, as plain numbers: the hot path (a frame, a chunk, a
 * message) costs a field increment, with no label lookup and no allocation.
 * The numbers go to prom-client only when someone scrapes (scrape.ts).
 *
 * One NodeMetrics per node id, kept at module level: a node restarted by a
 * redeploy with the same labels carries on counting (Prometheus counters must
 * not fall); a node that was removed, or renamed, loses its series, so the
 * table stays as big as the flows.
 */
import { definitions, type NodeLabels } from "./definitions";

/** Bytes of a node's sessions that closed; the session registry adds to it (SessionOwner.tally). */
export interface SessionTally {
  bytesIn: number;
  bytesOut: number;
}

/** Gauges a node knows best itself, read at scrape time. */
export interface GaugeReading {
  /** Connections not in a manager's table (send jobs); the table's own are counted there. */
  open?: number;
  queued?: number;
  /** Input bytes held for a peer (the bridge); absent: the node has no such buffer, and no series. */
  bufferedBytes?: number;
}

type Observe = (seconds: number) => void;
const NO_OBSERVE: Observe = () => undefined;

function add(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

export class NodeMetrics {
  readonly tally: SessionTally = { bytesIn: 0, bytesOut: 0 };
  acceptedTotal = 0;
  framesInTotal = 0;
  messagesOutTotal = 0;
  /** Bytes of connections that no manager's table holds (send jobs). */
  bytesInTotal = 0;
  bytesOutTotal = 0;
  retriesTotal = 0;
  /** Send node messages finished, whatever the outcome (the send node's rate). */
  jobsTotal = 0;
  /** Of those, the ones that succeeded (outcome "ok"; a field, not a map entry: the reply hot path). */
  jobsOkTotal = 0;
  readonly refusedBy = new Map<string, number>();
  readonly errorsBy = new Map<string, number>();
  readonly jobsBy = new Map<string, number>();
  read: (() => GaugeReading) | undefined;
  private readonly observeJob: Observe;
  private readonly observeReply: Observe;

  /** exported: false when metrics are off (tcpAutomation.metrics: false); the numbers still feed the status rate. */
  constructor(
    readonly labels: NodeLabels,
    readonly exported: boolean,
  ) {
    if (exported) {
      const d = definitions();
      // The labelled children, made once: an observation then looks up no label of ours.
      const job = d.jobDuration.labels(labels);
      const reply = d.replyDuration.labels(labels);
      this.observeJob = (s) => job.observe(s);
      this.observeReply = (s) => reply.observe(s);
    } else {
      this.observeJob = NO_OBSERVE;
      this.observeReply = NO_OBSERVE;
    }
  }

  accepted(): void {
    this.acceptedTotal++;
  }

  refused(reason: string): void {
    add(this.refusedBy, reason, 1);
  }

  framesIn(n: number): void {
    this.framesInTotal += n;
  }

  messagesOut(n: number): void {
    this.messagesOutTotal += n;
  }

  /** Bytes of a connection outside any manager's table (a send job). */
  bytes(bytesIn: number, bytesOut: number): void {
    this.bytesInTotal += bytesIn;
    this.bytesOutTotal += bytesOut;
  }

  error(code: string): void {
    add(this.errorsBy, code, 1);
  }

  /** A send node message that succeeded. */
  jobOk(): void {
    this.jobsTotal++;
    this.jobsOkTotal++;
  }

  /** A send node message that failed, by its error code (counted as an error too). */
  jobFailed(code: string): void {
    this.jobsTotal++;
    add(this.jobsBy, code, 1);
    add(this.errorsBy, code, 1);
  }

  /** How long a send job of its own connection took, whatever its outcome. */
  jobTime(seconds: number): void {
    this.observeJob(seconds);
  }

  retries(n: number): void {
    this.retriesTotal += n;
  }

  reply(seconds: number): void {
    this.observeReply(seconds);
  }

  /** The node's own gauges (queue depth, jobs' connections), read when scraped. */
  gauges(read: () => GaugeReading): void {
    this.read = read;
  }
}

/** Live nodes' metrics, by node id: what a scrape reports. */
const table = new Map<string, NodeMetrics>();

const sameLabels = (a: NodeLabels, b: NodeLabels): boolean =>
  a.node_id === b.node_id && a.node_type === b.node_type && a.node_name === b.node_name && a.manager_id === b.manager_id;

function drop(m: NodeMetrics): void {
  table.delete(m.labels.node_id);
  const d = definitions();
  d.jobDuration.remove(m.labels);
  d.replyDuration.remove(m.labels);
}

/** The node's metrics, carried on from its last run when its labels are the same. */
export function acquireNodeMetrics(labels: NodeLabels, exported: boolean): NodeMetrics {
  const old = table.get(labels.node_id);
  if (!exported) {
    if (old) drop(old);
    return new NodeMetrics(labels, false);
  }
  if (old && sameLabels(old.labels, labels)) {
    old.read = undefined;
    return old;
  }
  if (old) drop(old);
  const m = new NodeMetrics(labels, true);
  table.set(labels.node_id, m);
  return m;
}

/** The node stopped; removed (deleted from the flows): its series go. */
export function releaseNodeMetrics(m: NodeMetrics, removed: boolean): void {
  m.read = undefined;
  if (removed && table.get(m.labels.node_id) === m) drop(m);
}

export function exportedNodes(): IterableIterator<NodeMetrics> {
  return table.values();
}

/** The code an error is counted under: its own (ECONNREFUSED, EFRAMETOOLARGE, ...), else EUNKNOWN. */
export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code !== "" ? code : "EUNKNOWN";
}
