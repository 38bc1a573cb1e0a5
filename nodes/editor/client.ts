/** tcp-client-link ("tcp client") in the editor. */
import { CLIENT } from "../lib/schema";
import { nodeDefaults } from "./defaults";
import { prepareDialog } from "./dialog";
import { prepareFieldPresets } from "./field-presets";
import { outputsFromEvents } from "./events-output";
import { hasOwnPort, hostLabel, namedNodeLabels, portLabels } from "./labels";
import { prepareSecurityTips } from "./security";

const T = "tcp-client-link";

/** The behaviour of tcp client nodes; the node HTML adds category, colour, ports and icon as literals (Flow Library scorecard). */
export function clientDefinition(): EditorDefinition {
  return {
    defaults: nodeDefaults(T, CLIENT),
    ...namedNodeLabels(T),
    label() {
      if (this.name) return this.name;
      const where = hasOwnPort(this.host) ? String(this.host) : `${hostLabel(this.host)}:${String(this.port)}`;
      return `⇄ ${where}`;
    },
    ...portLabels(T),
    oneditprepare() {
      prepareDialog(this, T, CLIENT);
      prepareFieldPresets(this, T);
      prepareSecurityTips(this, CLIENT);
    },
    oneditsave() {
      outputsFromEvents(this);
    },
  };
}
