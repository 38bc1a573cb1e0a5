/**
 * A node type's `defaults` for RED.nodes.registerType, made from its schema:
 * the new node's value, config node references, and a validator for every
 * property that can be refused, saying why in the node's own catalog.
 */
import { checkProp, isEnvRef, type Schema } from "../lib/schema";
import { EDITOR_ENV } from "./env";
import { liveOf } from "./live";

export function validator(type: string, schema: Schema, name: string): Validator {
  return function (this: EditorNode, value: unknown, opt?: object): boolean | string {
    // "${NAME}" becomes the environment variable's value at deploy: only the runtime can check it.
    if (isEnvRef(value)) return true;
    const key = checkProp(schema, name, value, liveOf(this), EDITOR_ENV);
    if (key === undefined) return true;
    return opt ? this._(`${type}.validation.${key}`) : false;
  };
}

export function nodeDefaults(type: string, schema: Schema): Record<string, NodeDefault> {
  const out: Record<string, NodeDefault> = {};
  for (const [name, prop] of Object.entries(schema)) {
    if (prop.configType) out[name] = { type: prop.configType, required: false };
    else if (prop.message) out[name] = { value: prop.value, validate: validator(type, schema, name) };
    else out[name] = { value: prop.value };
  }
  return out;
}
