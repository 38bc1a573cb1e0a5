/**
 * Whether a node keeps its connections' recent traffic for the manager's
 * traffic view: its own `traffic` checkbox, unless settings.js turned the
 * traffic view off for good (tcpAutomation.traffic: false).
 */
import { SCHEMA_ENV } from "../lib/base";
import { readProps, TRAFFIC } from "../lib/schema";
import { switches } from "./settings";
import type { NodeAPI, NodeDef } from "../types/node-red";

export function keepsTraffic(RED: NodeAPI, def: NodeDef): boolean {
  return readProps(TRAFFIC, def, SCHEMA_ENV).traffic && switches(RED).traffic;
}
