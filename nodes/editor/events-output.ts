/** The "connection events" checkbox of the trigger and the bridge decides the number of outputs. */
export function outputsFromEvents(node: EditorNode): void {
  node.outputs = $("#node-input-events").is(":checked") ? 2 : 1;
}
