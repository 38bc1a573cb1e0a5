/**
 * What every edit dialog does with its node's schema, first thing in
 * oneditprepare: fills each select with its options (catalog texts), sets the
 * checkboxes from the stored values, shows a property that an older flow does
 * not have with its default, and shows only the rows that apply, again
 * whenever a field changes. The rows themselves are in the node's
 * template, where Node-RED attaches its own validation to them.
 */
import { rowShown, type Prop, type Schema } from "../lib/schema";
import { EDITOR_ENV } from "./env";
import { liveOf } from "./live";

const field = (name: string): JQuery => $(`#node-input-${name}`);

/** The options of a select; a stored value that is not among them stays visible (its validator says why). */
function fillSelect(node: EditorNode, type: string, name: string, prop: Prop): void {
  const select = field(name);
  if (!prop.options || !select.is("select")) return;
  for (const v of prop.options.values) {
    const key = prop.options.text(v);
    select.append(
      $("<option/>")
        .val(v)
        .text(key === undefined ? v : node._(`${type}.${key}`)),
    );
  }
  const stored = node[name];
  const value = stored === undefined || stored === null || stored === "" ? String(prop.value) : String(stored);
  if (!prop.options.values.includes(value)) select.append($("<option/>").val(value).text(value));
  select.val(value);
}

/** A property a flow from an older version does not have shows the value the runtime takes for it. */
function fillMissing(node: EditorNode, name: string, prop: Prop): void {
  const input = field(name);
  if (node[name] === undefined && prop.value !== undefined && input.is("input[type=text], input[type=hidden], textarea"))
    input.val(String(prop.value));
}

/** A checkbox as the runtime reads the stored value ("false" is off, not a truthy string). */
function setCheckbox(node: EditorNode, name: string, prop: Prop): void {
  const box = field(name);
  if (!box.is("input[type=checkbox]")) return;
  const r = prop.read(node[name], { raw: () => undefined, value: () => undefined, env: EDITOR_ENV });
  box.prop("checked", r.ok && r.value === true);
}

/** Shows the rows that apply now; returns the function that does it again. */
function showRows(node: EditorNode, schema: Schema): () => void {
  const names = Object.keys(schema).filter((n) => field(n).length > 0);
  const refresh = (): void => {
    for (const n of names)
      field(n)
        .closest(".form-row")
        .toggle(rowShown(schema, n, liveOf(node), EDITOR_ENV));
  };
  for (const n of names) field(n).on("change", refresh);
  refresh();
  return refresh;
}

/** Prepares the dialog of `node` from its schema; returns the function that re-shows the rows. */
export function prepareDialog(node: EditorNode, type: string, schema: Schema): () => void {
  for (const [name, prop] of Object.entries(schema)) {
    fillSelect(node, type, name, prop);
    setCheckbox(node, name, prop);
    fillMissing(node, name, prop);
  }
  return showRows(node, schema);
}
