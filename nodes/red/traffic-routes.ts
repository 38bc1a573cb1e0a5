/**
 * The traffic view's admin routes, beside the manager's connection list and
 * with the same permission (tcp-connection-manager.read): the bytes may be
 * secret, so nobody who cannot read the manager sees them.
 *
 *   GET /tcp-connection-manager/:id/traffic                      the captures kept (live and recently closed), the budget
 *   GET /tcp-connection-manager/:id/connections/:session/traffic one capture as JSON (bytes in base64)
 *       ?format=json        the same, as a download
 *       ?format=text2pcap   the hex dump Wireshark's text2pcap reads, as a download
 *   POST .../connections/:session/traffic/replay?to=127.0.0.1:7000[&fast=1]   (tcp-connection-manager.write)
 *       plays the capture's client side against a port of this machine (loopback only: the bytes may be
 *       secret, and the runtime must not become a way to send them elsewhere), answers when done
 *
 * Bytes leave only as base64 or hex, never as text a browser could render.
 */
import { isIP } from "node:net";
import { replayClient, sideOf, toText2pcap, type Capture, type TrafficView } from "../lib/traffic";
import type { ManagerCore } from "../lib/sessions";
import type { NodeAPI, Request, Response } from "../types/node-red";

const TYPE = "tcp-connection-manager";

/** What Express offers beyond the Response type the rest of the package needs. */
type DownloadResponse = Response & {
  setHeader(name: string, value: string): void;
  send(body: string): void;
};

/** A capture as JSON: the bytes in base64. */
export function trafficJson(v: TrafficView): Record<string, unknown> {
  return {
    session: v.session,
    peer: v.peer,
    owner: v.owner,
    localPort: v.localPort,
    direction: v.direction,
    chunks: v.chunks.map((c) => ({ t: c.t, dir: c.dir, off: c.off, data: c.data.toString("base64") })),
    frames: v.frames,
    closed: v.closed,
    bytes: v.bytes,
    truncated: v.truncated,
  };
}

/** Why a session has no capture: its node does not keep traffic, the budget was used up, or it is not known (any more). */
function notCaptured(core: ManagerCore, session: string): "off" | "budget" | "unknown" {
  const s = core.registry.get(session);
  if (!s) return "unknown";
  return s.traffic === null ? "budget" : "off";
}

/** host:port of a loopback address ("127.0.0.1:7000", "[::1]:7000", "localhost:7000"), or null. */
export function loopbackTarget(to: unknown): { host: string; port: number } | null {
  if (typeof to !== "string") return null;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(to.trim());
  if (!m) return null;
  const host = (m[1] as string | undefined) ?? m[2];
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  const loopback = host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
  return loopback ? { host: host === "localhost" ? "127.0.0.1" : host, port } : null;
}

export function registerTrafficRoutes(RED: NodeAPI, find: (id: string) => ManagerCore | null): void {
  const read = RED.auth.needsPermission(`${TYPE}.read`);
  const noManager = (res: Response, id: string): void => {
    res.status(404).json({ error: RED._(`${TYPE}.errors.no-manager`, { id }) });
  };

  RED.httpAdmin.get(`/${TYPE}/:id/traffic`, read, (req: Request, res: Response) => {
    const core = find(req.params.id);
    if (!core) {
      noManager(res, req.params.id);
      return;
    }
    const store = core.registry.traffic;
    const kept = (id: string): Record<string, unknown> | null => {
      const c = store.get(id);
      return c ? { ...c.info, closed: c.closed, bytes: { in: c.in.total, out: c.out.total } } : null;
    };
    const live: Record<string, unknown>[] = [];
    for (const s of core.registry.sessions()) {
      const k = s.traffic ? kept(s.id) : null;
      if (k) live.push(k);
    }
    res.json({
      manager: core.id,
      live,
      closed: store.closedIds().map(kept),
      limits: store.limits,
      used: store.used,
      refused: store.refused,
    });
  });

  /** The capture a route's :id and :session name; else a 404 that says why (no manager, or not captured) and undefined. */
  const captureOf = (req: Request, res: Response): { session: string; capture: Capture } | undefined => {
    const core = find(req.params.id);
    if (!core) {
      noManager(res, req.params.id);
      return undefined;
    }
    const session = req.params.session;
    const capture = core.registry.traffic.get(session);
    if (!capture) {
      const reason = notCaptured(core, session);
      res.status(404).json({ session, captured: false, reason, error: RED._(`${TYPE}.traffic.not-captured-${reason}`, { session }) });
      return undefined;
    }
    return { session, capture };
  };

  RED.httpAdmin.get(`/${TYPE}/:id/connections/:session/traffic`, read, (req: Request, res: Response) => {
    const found = captureOf(req, res);
    if (!found) return;
    const { session, capture } = found;
    const view = capture.view();
    const r = res as DownloadResponse;
    r.setHeader("X-Content-Type-Options", "nosniff");
    const format = req.query.format;
    // The session id is 16 hex digits (registry.ts): safe in a file name.
    const file = `traffic-${session.replace(/[^0-9a-zA-Z_-]/g, "")}`;
    if (format === "text2pcap") {
      r.setHeader("Content-Type", "text/plain; charset=utf-8");
      r.setHeader("Content-Disposition", `attachment; filename="${file}.txt"`);
      r.send(toText2pcap(view));
      return;
    }
    if (format === "json") r.setHeader("Content-Disposition", `attachment; filename="${file}.json"`);
    r.json(trafficJson(view));
  });

  RED.httpAdmin.post(
    `/${TYPE}/:id/connections/:session/traffic/replay`,
    RED.auth.needsPermission(`${TYPE}.write`),
    (req: Request, res: Response) => {
      const found = captureOf(req, res);
      if (!found) return;
      const { capture } = found;
      const target = loopbackTarget(req.query.to);
      if (!target) {
        res.status(400).json({ error: RED._(`${TYPE}.traffic.replay-loopback`, { to: String(req.query.to) }) });
        return;
      }
      const view = capture.view();
      const replayable = { direction: view.direction, chunks: view.chunks };
      replayClient(replayable, target.host, target.port, { fast: req.query.fast === "1" || req.query.fast === "true" }).then(
        (r) =>
          res.json({
            to: `${target.host}:${target.port}`,
            side: sideOf(replayable, "client"),
            sent: r.sent,
            received: r.received.length,
            short: r.short,
          }),
        (err: unknown) => res.status(502).json({ error: err instanceof Error ? err.message : String(err) }),
      );
    },
  );
}
