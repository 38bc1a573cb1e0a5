/** Texts the nodes show about themselves. */
import { splitHostPort } from "../lib/schema";

/** A host as part of host:port: IPv6 in brackets. */
export function hostLabel(host: unknown): string {
  const h = typeof host === "string" ? host : "";
  return h.includes(":") ? `[${h}]` : h;
}

/** Whether a fixed destination text already names its port ("printer:9100", "[::1]:9100"). */
export function hasOwnPort(text: unknown): boolean {
  const r = splitHostPort(typeof text === "string" ? text : "");
  return r.ok && r.port !== undefined;
}

/** What every flow node of the package shows about itself the same way: palette label, italic when named. */
export function namedNodeLabels(type: string): Pick<EditorDefinition, "paletteLabel" | "labelStyle"> {
  return {
    paletteLabel() {
      return this._(`${type}.paletteLabel`);
    },
    labelStyle() {
      return this.name ? "node_label_italic" : "";
    },
  };
}

/** Port labels from the catalog: label.input, and label.output1, label.output2 (data, events). */
export function portLabels(type: string): Pick<EditorDefinition, "inputLabels" | "outputLabels"> {
  return {
    inputLabels() {
      return this._(`${type}.label.input`);
    },
    outputLabels(i) {
      return this._(`${type}.label.output${i + 1}`);
    },
  };
}
