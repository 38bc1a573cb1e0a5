/**
 * The parts of the Node-RED editor's globals (RED, and jQuery as $) that the
 * editor code uses, typed by hand: enough for tsc to check every call.
 */

/** A node as the editor holds it: its stored properties, its definition and its catalog. */
interface EditorNode {
  id: string;
  type: string;
  name?: string;
  _def: NodeDefinition;
  _(key: string, subs?: Record<string, unknown>): string;
  [prop: string]: unknown;
}

/** A property validator: true, or false / the message (when opt is given). */
type Validator = (this: EditorNode, value: unknown, opt?: object) => boolean | string;

interface NodeDefault {
  value?: unknown;
  type?: string;
  required?: boolean;
  validate?: Validator;
}

interface NodeDefinition {
  category: string;
  color?: string;
  defaults: Record<string, NodeDefault>;
  inputs?: number;
  outputs?: number;
  icon?: string;
  align?: "left" | "right";
  paletteLabel?: (this: EditorNode) => string;
  label?: (this: EditorNode) => string;
  labelStyle?: (this: EditorNode) => string;
  inputLabels?: (this: EditorNode, i: number) => string;
  outputLabels?: (this: EditorNode, i: number) => string;
  oneditprepare?: (this: EditorNode) => void;
  oneditsave?: (this: EditorNode) => void;
}

interface Tooltip {
  setContent(content: string): void;
  delete(): void;
}

interface TypedInputOptions {
  default: string;
  typeField: string;
  types: readonly string[];
}

interface JQueryAjax {
  done(cb: (data: never) => void): JQueryAjax;
  fail(cb: (xhr: { status: number; responseJSON?: unknown }) => void): JQueryAjax;
  always(cb: () => void): JQueryAjax;
}

interface JQuery {
  readonly length: number;
  readonly [index: number]: HTMLElement;
  addClass(name: string): JQuery;
  attr(name: string, value: string): JQuery;
  remove(): JQuery;
  val(): unknown;
  val(value: string | number): JQuery;
  text(): string;
  text(value: string): JQuery;
  html(): string;
  attr(name: string): string | undefined;
  prop(name: "checked"): boolean;
  prop(name: string, value: unknown): JQuery;
  is(selector: string): boolean;
  on(events: string, handler: () => void): JQuery;
  toggle(show: boolean): JQuery;
  append(...content: Array<JQuery | string>): JQuery;
  appendTo(target: JQuery): JQuery;
  empty(): JQuery;
  css(props: Record<string, string>): JQuery;
  closest(selector: string): JQuery;
  next(selector: string): JQuery;
  typedInput(options: TypedInputOptions): JQuery;
  trigger(event: string): JQuery;
}

interface JQueryStatic {
  (selector: string): JQuery;
  getJSON(url: string): JQueryAjax;
  ajax(options: { url: string; dataType: "text" | "json" }): JQueryAjax;
  post(url: string): JQueryAjax;
}

declare const $: JQueryStatic;

declare const RED: {
  nodes: {
    registerType(type: string, definition: NodeDefinition): void;
    eachNode(cb: (n: EditorNode) => void): void;
    node(id: string): EditorNode | null;
    workspace(id: string): { label?: unknown } | null;
  };
  editor?: { getEditStack?(): EditorNode[] };
  validators: { typedInput(typeField: string): Validator };
  popover: { tooltip(target: JQuery, content: string): Tooltip };
  utils: { getNodeLabel(node: EditorNode, fallback: string): string };
};

/** What the editor script gives a node type; its HTML adds category, colour, ports and icon as literals. */
type EditorDefinition = Omit<NodeDefinition, "category" | "color" | "inputs" | "outputs" | "icon" | "align">;

interface Window {
  TcpAutomation?: { definition(type: string): EditorDefinition };
}
