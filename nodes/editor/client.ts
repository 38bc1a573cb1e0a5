/** tcp-client-link ("tcp client") in the editor. */
import { CLIENT } from "../lib/schema";
import { nodeDefaults } from "./defaults";
import { prepareDialog } from "./dialog";
import { outputsFromEvents } from "./events-output";
import { hasOwnPort, hostLabel } from "./labels";
import { prepareSecurityTips } from "./security";

const T = "tcp-client-link";

/** The behaviour of tcp client nodes; the node HTML adds category, colour, ports and icon as literals (Flow Library scorecard). */
export function clientDefinition(): EditorDefinition {
  return {
    defaults: nodeDefaults(T, CLIENT),
    paletteLabel() {
      return this._(`${T}.paletteLabel`);
    },
    label() {
      if (this.name) return this.name;
      const where = hasOwnPort(this.host) ? String(this.host) : `${hostLabel(this.host)}:${String(this.port)}`;
      return `⇄ ${where}`;
    },
    labelStyle() {
      return this.name ? "node_label_italic" : "";
    },
    inputLabels() {
      return this._(`${T}.label.input`);
    },
    outputLabels(i) {
      return this._(`${T}.label.output${i + 1}`);
    },
    oneditprepare() {
      prepareDialog(this, T, CLIENT);
      prepareSecurityTips(this, CLIENT);
    },
    oneditsave() {
      outputsFromEvents(this);
    },
  };
}
