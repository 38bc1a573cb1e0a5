/** Other nodes of the flows that a dialog warns about (reply nodes and triggers that cannot work together). */
export function namesOf(match: (n: EditorNode) => boolean, name: (n: EditorNode) => string): string[] {
  const out: string[] = [];
  RED.nodes.eachNode((n) => {
    if (match(n)) out.push(name(n));
  });
  return out;
}
