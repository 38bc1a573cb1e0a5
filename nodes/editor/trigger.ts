/** tcp-server-trigger in the editor. */
import { TRIGGER } from "../lib/schema";
import { nodeDefaults } from "./defaults";
import { prepareDialog } from "./dialog";
import { prepareFieldPresets } from "./field-presets";
import { outputsFromEvents } from "./events-output";
import { namesOf } from "./flow-nodes";
import { hostLabel, namedNodeLabels } from "./labels";
import { prepareSecurityTips } from "./security";

const T = "tcp-server-trigger";

/** The behaviour of trigger nodes; the node HTML adds category, colour, ports and icon as literals (Flow Library scorecard). */
export function triggerDefinition(): EditorDefinition {
  return {
    defaults: nodeDefaults(T, TRIGGER),
    ...namedNodeLabels(T),
    label() {
      return this.name || `${hostLabel(this.host)}:${String(this.port)} ⇢`;
    },
    outputLabels(i) {
      return this._(`${T}.label.output${i + 1}`);
    },
    oneditprepare() {
      const node = this;
      prepareDialog(node, T, TRIGGER);
      prepareFieldPresets(node, T);
      prepareSecurityTips(node, TRIGGER);
      // Messages emitted on client disconnect cannot be answered: say so, and name the reply nodes that would try.
      const replies = namesOf(
        (n) => n.type === "send-to-tcp-port" && n.mode === "reply" && (n.manager || "") === (node.manager || ""),
        (n) => n.name || n.id,
      );
      $("#tcpa-trigger-reply-nodes").text(replies.length ? `${node._(`${T}.tip.replyNodes`)} ${replies.join(", ")}` : "");
      const closeWarning = (): void => {
        $(".tcpa-trigger-close-warning").toggle($("#node-input-event").val() === "close");
      };
      $("#node-input-event").on("change", closeWarning);
      closeWarning();
    },
    oneditsave() {
      outputsFromEvents(this);
    },
  };
}
