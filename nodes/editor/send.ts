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
  if (this.mode === "broadcast") return `⇶ ${this._(`${T}.label.broadcast`)}`;
  if (!sending(this)) return `⇠ ${this._(`${T}.label.reply`)}`;
  const type = String(this.hostType || "str");
  let host = type === "str" ? String(this.host || "") : `${type}.${String(this.host)}`;
  if (host === "") return "⇢ msg.destination";
  const portType = String(this.portType || "num");
  const port = this.port === undefined || this.port === null ? "" : String(this.port);
  if (port !== "" && !(type === "str" && hasOwnPort(this.host))) host += `:${FIXED_PORT.includes(portType) ? port : `${portType}.${port}`}`;
  return `⇢ ${host}`;
}

/** The nodes whose connections a broadcast can go to: every trigger, bridge and tcp client of the flows. */
const SESSION_OWNERS = ["tcp-server-trigger", "tcp-server-client-bridge", "tcp-client-link"];

function fillTargetNodes(node: EditorNode): void {
  const select = $("#node-input-targetNode");
  const stored = typeof node.targetNode === "string" ? node.targetNode : "";
  const ids = new Set<string>();
  select.append($("<option/>").val("").text(""));
  RED.nodes.eachNode((n) => {
    if (!SESSION_OWNERS.includes(n.type)) return;
    const tab = typeof n.z === "string" ? RED.nodes.workspace(n.z) : null;
    const where = tab && typeof tab.label === "string" ? ` (${tab.label})` : "";
    ids.add(n.id);
    select.append(
      $("<option/>")
        .val(n.id)
        .text(`${RED.utils.getNodeLabel(n, n.type)}${where}`),
    );
  });
  // A node deleted since: still shown, so the validator's mark says why.
  if (stored !== "" && !ids.has(stored)) select.append($("<option/>").val(stored).text(stored));
  select.val(stored);
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
      fillTargetNodes(node);
      const refresh = (): void => {
        const mode = $("#node-input-mode").val();
        $(".tcpa-send-only").toggle(mode === "send");
        $(".tcpa-reply-only").toggle(mode === "reply");
        $(".tcpa-broadcast-only").toggle(mode === "broadcast");
        $(".tcpa-send-close-warning").toggle(mode === "reply" && onClose.length > 0);
        showRows();
      };
      $("#node-input-mode").on("change", refresh);
      refresh();
    },
  };
}
