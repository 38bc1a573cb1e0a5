/** tcp-server-client-bridge in the editor. */
import { BRIDGE } from "../lib/schema";
import { nodeDefaults } from "./defaults";
import { prepareDialog } from "./dialog";
import { outputsFromEvents } from "./events-output";
import { hostLabel } from "./labels";
import { prepareSecurityTips } from "./security";

const T = "tcp-server-client-bridge";

export function registerBridge(): void {
  RED.nodes.registerType(T, {
    category: "network",
    color: "#8fc7d9",
    defaults: nodeDefaults(T, BRIDGE),
    inputs: 1,
    outputs: 1,
    icon: "tcp-bridge.svg",
    paletteLabel() {
      return this._(`${T}.paletteLabel`);
    },
    label() {
      return this.name || `${hostLabel(this.host)}:${String(this.port)} ⇄ ${hostLabel(this.peerHost)}:${String(this.peerPort)}`;
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
      prepareDialog(this, T, BRIDGE);
      prepareSecurityTips(this, BRIDGE);
    },
    oneditsave() {
      outputsFromEvents(this);
    },
  });
}
