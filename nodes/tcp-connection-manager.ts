/**
 * tcp-connection-manager: the config node that owns the table of live
 * connections of every node using it, so a reply can find its socket from any
 * flow, tab or subflow. Also serves that table to the editor, and the
 * package's Prometheus metrics (lib/metrics) to a scraper.
 */
import { SCHEMA_ENV } from "./lib/base";
import { addSessionSource, removeSessionSource, scrape } from "./lib/metrics";
import { MANAGER, readProps } from "./lib/schema";
import { DEFAULT_MANAGER, DEFAULT_MANAGER_ID, ManagerCore } from "./lib/sessions";
import type { ManagerNode } from "./red/manager-link";
import { pruneOnStart } from "./red/metrics";
import { switches, tunableProblems, trafficLimits } from "./red/settings";
import { registerTrafficRoutes } from "./red/traffic-routes";
import type { NodeAPI, NodeDef, Request, Response } from "./types/node-red";

const TYPE = "tcp-connection-manager";

export = function register(RED: NodeAPI): void {
  function TcpConnectionManager(this: ManagerNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const core = (this.core = new ManagerCore(def.id, readProps(MANAGER, def, SCHEMA_ENV).name));
    addSessionSource(core.id, core.registry);
    core.registry.traffic.configure(trafficLimits(RED));
    this.on("close", (_removed: boolean, done: () => void) => {
      removeSessionSource(core.id, core.registry);
      // User nodes close their own sockets first (Node-RED stops them with us);
      // anything still open here belongs to no running node, so end it.
      for (const s of this.core.registry.list()) this.core.registry.close(s.id, "manager-closed");
      done();
    });
  }
  RED.nodes.registerType(TYPE, TcpConnectionManager);

  DEFAULT_MANAGER.registry.traffic.configure(trafficLimits(RED));
  for (const p of tunableProblems(RED)) {
    RED.log.warn(RED._(`${TYPE}.errors.setting-${p.kind}`, { name: p.name, value: p.value, min: p.min, max: p.max }));
  }

  addSessionSource(DEFAULT_MANAGER_ID, DEFAULT_MANAGER.registry);
  pruneOnStart(RED);

  // Before /:id/... so "metrics" is never taken for a manager id.
  RED.httpAdmin.get(`/${TYPE}/metrics`, RED.auth.needsPermission(`${TYPE}.read`), (_req: Request, res: Response) => {
    if (!switches(RED).metrics) {
      res.status(404).json({ error: RED._(`${TYPE}.errors.metrics-off`) });
      return;
    }
    scrape().then(
      ({ contentType, body }) => res.type(contentType).send(body),
      (err: unknown) => res.status(500).json({ error: String(err) }),
    );
  });

  const find = (id: string): ManagerCore | null => {
    if (id === DEFAULT_MANAGER_ID) return DEFAULT_MANAGER;
    const node = RED.nodes.getNode(id) as ManagerNode | null;
    return node && node.core instanceof ManagerCore ? node.core : null;
  };

  RED.httpAdmin.get(`/${TYPE}/:id/connections`, RED.auth.needsPermission(`${TYPE}.read`), (req: Request, res: Response) => {
    const core = find(req.params.id);
    if (!core) {
      res.status(404).json({ error: RED._(`${TYPE}.errors.no-manager`, { id: req.params.id }) });
      return;
    }
    res.json({ manager: core.id, now: Date.now(), connections: core.registry.list() });
  });

  registerTrafficRoutes(RED, find);

  RED.httpAdmin.post(
    `/${TYPE}/:id/connections/:session/close`,
    RED.auth.needsPermission(`${TYPE}.write`),
    (req: Request, res: Response) => {
      const core = find(req.params.id);
      if (!core) {
        res.status(404).json({ error: RED._(`${TYPE}.errors.no-manager`, { id: req.params.id }) });
        return;
      }
      if (!core.registry.close(req.params.session, "admin")) {
        res.status(404).json({ error: RED._(`${TYPE}.errors.no-session`, { session: req.params.session }) });
        return;
      }
      res.json({ closed: req.params.session });
    },
  );
};
