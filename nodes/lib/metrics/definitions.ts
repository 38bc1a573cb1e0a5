/**
 * The Prometheus metrics of this package, in a registry of their own (never
 * prom-client's global one, so other packages' metrics stay untouched).
 * Made once per runtime, on first use: the module outlives redeploys.
 *
 * Counters and gauges are written only at scrape time (node-metrics.ts keeps
 * plain numbers on the hot path and hands them over here); histograms are
 * observed per job or reply, on a child made once per node.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export const PREFIX = "tcp_automation_";

/** Every node series carries these. */
export const NODE_LABELS = ["node_id", "node_type", "node_name", "manager_id"] as const;
export type NodeLabelName = (typeof NODE_LABELS)[number];
export type NodeLabels = Record<NodeLabelName, string>;

/** Seconds: from a 1 ms reply on a LAN to a job that retried for half a minute. */
export const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Definitions {
  registry: Registry;
  open: Gauge;
  queued: Gauge;
  buffered: Gauge;
  accepted: Counter;
  refused: Counter;
  framesIn: Counter;
  messagesOut: Counter;
  bytesIn: Counter;
  bytesOut: Counter;
  errors: Counter;
  jobs: Counter;
  retries: Counter;
  jobDuration: Histogram;
  replyDuration: Histogram;
  managerConnections: Gauge;
}

function define(): Definitions {
  const registry = new Registry();
  const registers = [registry];
  const labelNames = [...NODE_LABELS];
  const counter = (name: string, help: string, extra: string[] = []): Counter =>
    new Counter({ name: PREFIX + name, help, labelNames: [...labelNames, ...extra], registers });
  const gauge = (name: string, help: string): Gauge => new Gauge({ name: PREFIX + name, help, labelNames, registers });
  const histogram = (name: string, help: string): Histogram =>
    new Histogram({ name: PREFIX + name, help, labelNames, buckets: DURATION_BUCKETS, registers });
  return {
    registry,
    open: gauge("open_connections", "Connections open now (send jobs: connections being made or open)."),
    queued: gauge("queue_depth", "Messages waiting: send jobs queued for their destination, tcp client writes queued while not connected."),
    buffered: gauge("buffered_bytes", "Input bytes a bridge holds for its peer: while no link is up, or packing a segment."),
    accepted: counter("accepted_connections_total", "Connections a listening node accepted."),
    refused: counter("refused_connections_total", "Connections a listening node refused, by reason.", ["reason"]),
    framesIn: counter("frames_in_total", "Frames cut from what peers sent."),
    messagesOut: counter("messages_out_total", "Messages the node sent on into the flow."),
    bytesIn: counter("bytes_in_total", "Bytes received from peers."),
    bytesOut: counter("bytes_out_total", "Bytes written to peers."),
    errors: counter("errors_total", "Errors the node reported, by code.", ["code"]),
    jobs: counter("jobs_total", "Messages a send to tcp port node finished, by outcome (ok, or the error code).", ["outcome"]),
    retries: counter(
      "retries_total",
      "Connection attempts after the first: send jobs' retries, tcp client reconnects, bridge dials after a failed one.",
    ),
    jobDuration: histogram("job_duration_seconds", "Send jobs, from the first connection attempt until the connection closed."),
    replyDuration: histogram("reply_duration_seconds", "tcp client requests, from written to replied."),
    managerConnections: new Gauge({
      name: PREFIX + "manager_connections",
      help: "Live connections in a connection manager's table.",
      labelNames: ["manager_id"],
      registers,
    }),
  };
}

let defs: Definitions | undefined;

/** The package's metrics, made on first use. */
export function definitions(): Definitions {
  return (defs ??= define());
}
