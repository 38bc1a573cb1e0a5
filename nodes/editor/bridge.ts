/** tcp-server-client-bridge in the editor. */
import { BRIDGE } from "../lib/schema";
import { nodeDefaults } from "./defaults";
import { prepareDialog } from "./dialog";
import { prepareFieldPresets } from "./field-presets";
import { outputsFromEvents } from "./events-output";
import { hostLabel, namedNodeLabels, portLabels } from "./labels";
import { prepareSecurityTips } from "./security";

const T = "tcp-server-client-bridge";

/** The behaviour of bridge nodes; the node HTML adds category, colour, ports and icon as literals (Flow Library scorecard). */
export function bridgeDefinition(): EditorDefinition {
  return {
    defaults: nodeDefaults(T, BRIDGE),
    ...namedNodeLabels(T),
    label() {
      return this.name || `${hostLabel(this.host)}:${String(this.port)} ⇄ ${hostLabel(this.peerHost)}:${String(this.peerPort)}`;
    },
    ...portLabels(T),
    oneditprepare() {
      prepareDialog(this, T, BRIDGE);
      prepareFieldPresets(this, T);
      prepareSecurityTips(this, BRIDGE);
    },
    oneditsave() {
      outputsFromEvents(this);
    },
  };
}
