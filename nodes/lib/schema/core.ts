/**
 * What a property schema is made of: a property's editor default, how the
 * runtime reads its stored value (or why it refuses it), when its row applies
 * and the catalog key of its message. Plain code, no Node.js import: the editor
 * runs the same objects (resources/editor-common.js, built from these files).
 */

/** A value as the editor stores it in a flow. */
export type Stored = string | number | boolean;

/** What reading a stored value gave: the value, or why it is refused. */
export type Reading<T> = { ok: true; value: T } | { ok: false; detail: string; message?: string };

/** Facts only the host can tell: the runtime asks iconv-lite, the editor a list made from it at build time. */
export interface Env {
  /** Whether iconv-lite knows this encoding name (trimmed, lower case, not "auto"). */
  knowsEncoding(name: string): boolean;
}

/** The other properties of the same node, as a check sees them. */
export interface View {
  /** A property's stored value. */
  raw(name: string): unknown;
  /** A property's value as read; undefined when it is refused or its row does not apply. */
  value(name: string): unknown;
  readonly env: Env;
}

/** The options of a select: the values, and the catalog key of each text (undefined: the value itself). */
export interface Options {
  readonly values: readonly string[];
  text(value: string): string | undefined;
}

export interface Prop<T = unknown> {
  /** What a new node gets in the editor; undefined for a reference to a config node. */
  readonly value?: Stored;
  /** The catalog key, under <type>.validation., of the editor's message when the value is refused. */
  readonly message?: string;
  /** The label key a configuration error names; default: the property's own name. */
  readonly key?: string;
  /** Read and checked only when this holds (its row applies); otherwise ignored. Default: always. */
  readonly when?: (p: View) => boolean;
  /** Its row is shown only when this holds; default: when. */
  readonly shown?: (p: View) => boolean;
  /** The type of config node the property names (Node-RED makes the field a select of them). */
  readonly configType?: string;
  /** The options of its select, when the editor shows one. */
  readonly options?: Options;
  read(raw: unknown, p: View): Reading<T>;
}

/** A node's properties, in the order the runtime checks them (the first refused one is reported). */
export type Schema = Readonly<Record<string, Prop>>;

/** A Prop that remembers whether its declaration has a condition (so Values knows where undefined can be). */
export type Declared<T, D> = Prop<T> & { readonly when: D extends { when: (p: View) => boolean } ? (p: View) => boolean : undefined };

/** What readProps gives: each property's value; undefined possible only where a condition can make the row not apply. */
export type Values<S extends Schema> = {
  [K in keyof S]: S[K] extends Prop<infer T> ? (S[K] extends { when: (p: View) => boolean } ? T | undefined : T) : never;
};

/** The parts of a Prop every kind of property takes from its declaration. */
export type Common = Pick<Prop, "value" | "key" | "when" | "shown" | "options">;

/** A Prop typed with its declaration's condition (see Declared). */
export function declared<T, D>(prop: Prop<T>): Declared<T, D> {
  return prop as unknown as Declared<T, D>;
}

export function ok<T>(value: T): Reading<T> {
  return { ok: true, value };
}

export function refused<T>(detail: string, message?: string): Reading<T> {
  return message === undefined ? { ok: false, detail } : { ok: false, detail, message };
}

/**
 * Whether a stored value is exactly "${NAME}": Node-RED replaces such a
 * property with the environment variable's value at deploy (its flows/util.js,
 * EnvVarPropertyRE), so the editor cannot know the value and takes it as it is.
 * An unset variable stays as this text, and the runtime refuses it then.
 */
export function isEnvRef(v: unknown): boolean {
  return typeof v === "string" && /^\$\{\S+\}$/.test(v);
}

/** Stored text as the runtime reads it: undefined and null are "". */
export function str(v: unknown): string {
  return v === undefined || v === null ? "" : String(v);
}
