/**
 * A schema applied to stored properties: readProps for the runtime (every
 * property whose row applies, in order, the first refused one thrown as a
 * ConfigError) and checkProp for the editor (one property, with the others as
 * the dialog shows them). Both decide through the same Prop objects.
 */
import { ConfigError } from "./config-error";
import type { Env, Prop, Schema, Values, View } from "./core";

function applies(prop: Prop, view: View): boolean {
  return prop.when === undefined || prop.when(view);
}

function own(schema: Schema, name: string): Prop | undefined {
  return Object.prototype.hasOwnProperty.call(schema, name) ? schema[name] : undefined;
}

/** Stored values seen through a schema; a property's value is read once, on first use. */
class StoredView implements View {
  private readonly memo = new Map<string, unknown>();
  private readonly reading = new Set<string>();

  constructor(
    private readonly schema: Schema,
    private readonly stored: (name: string) => unknown,
    readonly env: Env,
  ) {}

  raw(name: string): unknown {
    return this.stored(name);
  }

  value(name: string): unknown {
    if (this.memo.has(name)) return this.memo.get(name);
    const prop = own(this.schema, name);
    if (!prop || this.reading.has(name)) return undefined; // a condition that refers to itself reads nothing
    this.reading.add(name);
    let v: unknown;
    try {
      if (applies(prop, this)) {
        const r = prop.read(this.stored(name), this);
        v = r.ok ? r.value : undefined;
      }
    } finally {
      this.reading.delete(name);
    }
    this.memo.set(name, v);
    return v;
  }
}

/** Every property of the schema read from a node's stored properties; throws ConfigError for the first refused one. */
export function readProps<S extends Schema>(schema: S, stored: Readonly<Record<string, unknown>>, env: Env): Values<S> {
  const view = new StoredView(schema, (name) => stored[name], env);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(schema)) {
    const prop = schema[name];
    if (!applies(prop, view)) {
      out[name] = undefined;
      continue;
    }
    const r = prop.read(stored[name], view);
    if (!r.ok) throw new ConfigError(prop.key ?? name, r.detail);
    out[name] = r.value;
  }
  return out as Values<S>;
}

/**
 * One property as the editor checks it: undefined when it is taken, else the
 * catalog key (under validation.) of the message. `stored` gives the other
 * properties, as the dialog shows them while it is open.
 */
export function checkProp(schema: Schema, name: string, value: unknown, stored: (name: string) => unknown, env: Env): string | undefined {
  const prop = own(schema, name);
  if (!prop) return undefined;
  const view = new StoredView(schema, (n) => (n === name ? value : stored(n)), env);
  if (!applies(prop, view)) return undefined;
  const r = prop.read(value, view);
  return r.ok ? undefined : (r.message ?? prop.message ?? "invalid");
}

/** Whether a property's row is shown, given the others as the dialog shows them. */
export function rowShown(schema: Schema, name: string, stored: (name: string) => unknown, env: Env): boolean {
  const prop = own(schema, name);
  if (!prop) return true;
  const view = new StoredView(schema, stored, env);
  const shown = prop.shown ?? prop.when;
  return shown === undefined || shown(view);
}
