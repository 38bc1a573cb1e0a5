/**
 * A node's properties as the user sees them: the edit dialog's fields while
 * this node is being edited (so a check that depends on another field reacts
 * at once), else the stored values.
 */
export function live(node: EditorNode, prop: string): unknown {
  const stack = RED.editor && RED.editor.getEditStack ? RED.editor.getEditStack() : [];
  if (stack.length && stack[stack.length - 1] === node) {
    const el = $(`#node-input-${prop}`);
    if (el.length) return el.attr("type") === "checkbox" ? el.prop("checked") : el.val();
  }
  return node[prop];
}

/** live() as a lookup by name, for the schema's checks. */
export const liveOf =
  (node: EditorNode) =>
  (prop: string): unknown =>
    live(node, prop);
