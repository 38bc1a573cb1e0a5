/** send-to-tcp-port in the editor. */
import { SEND } from "../lib/schema";
import { nodeDefaults } from "./defaults";
import { prepareDialog } from "./dialog";
import { namesOf } from "./flow-nodes";
import { hasOwnPort, namedNodeLabels } from "./labels";
import { prepareSecurityTips } from "./security";
import { typedInputMessages } from "./typed-messages";

const T = "send-to-tcp-port";
const FIXED_PORT = ["num", "str"];
const sending = (node: EditorNode): boolean => (node.mode || "send") === "send";
const typesOf = (name: "hostType" | "portType" | "dataType"): readonly string[] => SEND[name].options?.values ?? [];

/** The schema's check first, then Node-RED's own for a typed input (JSON, JSONata, property syntax). */
function dataDefault(defaults: Record<string, NodeDefault>): NodeDefault {
  const ours = defaults.data.validate as Validator;
  const noderedCheck = RED.validators.typedInput("dataType");
  return {
    value: defaults.data.value,
    validate(value, opt) {
      const r = ours.call(this, value, opt);
      return r === true ? noderedCheck.call(this, value, opt) : r;
    },
  };
}

function label(this: EditorNode): string {
  if (this.name) return this.name;
  if (!sending(this)) return `⇠ ${this._(`${T}.label.reply`)}`;
  const type = String(this.hostType || "str");
  let host = type === "str" ? String(this.host || "") : `${type}.${String(this.host)}`;
  if (host === "") return "⇢ msg.destination";
  const portType = String(this.portType || "num");
  const port = this.port === undefined || this.port === null ? "" : String(this.port);
  if (port !== "" && !(type === "str" && hasOwnPort(this.host))) host += `:${FIXED_PORT.includes(portType) ? port : `${portType}.${port}`}`;
  return `⇢ ${host}`;
}

/** The behaviour of send nodes; the node HTML adds category, colour, ports and icon as literals (Flow Library scorecard). */
export function sendDefinition(): EditorDefinition {
  const defaults = nodeDefaults(T, SEND);
  defaults.data = dataDefault(defaults);
  return {
    defaults,
    ...namedNodeLabels(T),
    label,
    outputLabels() {
      return this._(`${T}.label.output`);
    },
    oneditprepare() {
      const node = this;
      const showRows = prepareDialog(node, T, SEND);
      $("#node-input-host").typedInput({ default: "str", typeField: "#node-input-hostType", types: typesOf("hostType") });
      $("#node-input-port").typedInput({ default: "num", typeField: "#node-input-portType", types: typesOf("portType") });
      $("#node-input-data").typedInput({ default: "msg", typeField: "#node-input-dataType", types: typesOf("dataType") });
      prepareSecurityTips(node, SEND);
      typedInputMessages(node, ["host", "port", "data"]);

      // Triggers that emit "on client disconnect" send messages whose connection is already gone.
      const onClose = namesOf(
        (n) => n.type === "tcp-server-trigger" && n.event === "close",
        (n) => n.name || `${String(n.host || "")}:${String(n.port)}`,
      );
      if (onClose.length) $("#tcpa-send-close-triggers").text(`${node._(`${T}.tip.disconnectTriggers`)} ${onClose.join(", ")}`);
      const refresh = (): void => {
        const send = $("#node-input-mode").val() === "send";
        $(".tcpa-send-only").toggle(send);
        $(".tcpa-reply-only").toggle(!send);
        $(".tcpa-send-close-warning").toggle(!send && onClose.length > 0);
        showRows();
      };
      $("#node-input-mode").on("change", refresh);
      refresh();
    },
  };
}
