/**
 * The security group's tips, which are not properties: the warning while a
 * TLS client does not verify, and the PROXY hint, shown with the row they
 * explain.
 */
import { rowShown, type Schema } from "../lib/schema";
import { EDITOR_ENV } from "./env";
import { liveOf } from "./live";

export function prepareSecurityTips(node: EditorNode, schema: Schema): void {
  const refresh = (): void => {
    const shown = (name: string): boolean => name in schema && rowShown(schema, name, liveOf(node), EDITOR_ENV);
    $(".tcpa-verify-off").toggle(shown("tlsVerify") && !$("#node-input-tlsVerify").is(":checked"));
    $(".tcpa-proxy-hint").toggle(shown("proxyFrom"));
  };
  $("#node-input-tls").on("change", refresh);
  $("#node-input-tlsVerify").on("change", refresh);
  $("#node-input-proxyProtocol").on("change", refresh);
  $("#node-input-mode").on("change", refresh);
  refresh();
}
