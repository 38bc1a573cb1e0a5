/**
 * Node-RED puts a typed input's validation message on its hidden field, where
 * no one can hover it: show the message of the property's validator on the
 * visible typed input as well.
 */
export function typedInputMessages(node: EditorNode, props: readonly string[]): void {
  for (const prop of props) {
    const input = $(`#node-input-${prop}`);
    // A property the node may not declare: the lookup can miss.
    const validate = (node._def.defaults as Partial<Record<string, NodeDefault>>)[prop]?.validate;
    if (!input.length || !validate) continue;
    let tip: Tooltip | null = null;
    const check = (): void => {
      const box = input.next(".red-ui-typedInput-container");
      // The validators read the other fields from the open dialog (live.ts).
      const v = validate.call(node, input.val(), {});
      if (typeof v === "string") {
        if (tip) tip.setContent(v);
        else tip = RED.popover.tooltip(box, v);
      } else if (tip) {
        tip.delete();
        tip = null;
      }
    };
    input.on("change", check);
    $(`#node-input-${prop}Type`).on("change", check);
  }
}
