/**
 * The editor side of the package, built into resources/editor-common.js with
 * lib/schema (which gives every node's defaults and validators). Each node's
 * HTML loads that script and registers its type with literal category, colour,
 * ports and icon (the Flow Library's scorecard reads those) and the rest from
 * TcpAutomation.definition(<its type>).
 */
import { bridgeDefinition } from "./bridge";
import { clientDefinition } from "./client";
import { managerDefinition } from "./manager";
import { sendDefinition } from "./send";
import { triggerDefinition } from "./trigger";

const DEFINITIONS: Readonly<Partial<Record<string, () => EditorDefinition>>> = {
  "tcp-server-trigger": triggerDefinition,
  "send-to-tcp-port": sendDefinition,
  "tcp-server-client-bridge": bridgeDefinition,
  "tcp-client-link": clientDefinition,
  "tcp-connection-manager": managerDefinition,
};

// Every node's HTML loads this script; the first one defines it.
if (!window.TcpAutomation) {
  window.TcpAutomation = {
    definition(type: string): EditorDefinition {
      const make = DEFINITIONS[type];
      if (!make) throw new Error(`no editor for ${type}`);
      return make();
    },
  };
}
