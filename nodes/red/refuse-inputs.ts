/**
 * A node that cannot run (bad configuration, missing manager) still ends every
 * message it gets, with a coded error a Catch node sees: none vanishes.
 */
import { codedError } from "../lib/base";
import type { DoneFn, Node, NodeMessage, SendFn } from "../types/node-red";

export function refuseInputs(node: Node, text: string, code: string): void {
  node.on("input", (_msg: NodeMessage, _send: SendFn, done: DoneFn) => done(codedError(text, code)));
}
