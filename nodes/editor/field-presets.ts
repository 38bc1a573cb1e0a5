/**
 * The preset select of the length field at an offset (Modbus/TCP MBAP,
 * IEC 60870-5-104 APCI): choosing one fills the fields it names; editing a
 * field shows the preset the fields now match, or "custom". Not a property:
 * the fields are what the node stores. Shared by every node that frames.
 */
import { FIELD_PRESETS } from "../lib/schema";

type PresetName = keyof typeof FIELD_PRESETS;
const NAMES = Object.keys(FIELD_PRESETS) as PresetName[];
const FIELDS = Object.keys(FIELD_PRESETS.mbap) as Array<keyof (typeof FIELD_PRESETS)["mbap"]>;
const field = (name: string): JQuery => $(`#node-input-${name}`);

/** The preset the dialog's fields match now, or "custom". */
function matching(): string {
  const hit = NAMES.find((p) => FIELDS.every((f) => String(field(f).val() ?? "") === String(FIELD_PRESETS[p][f])));
  return hit ?? "custom";
}

export function prepareFieldPresets(node: EditorNode, type: string): void {
  const select = $("#tcpa-field-preset");
  if (select.length === 0) return;
  for (const v of ["custom", ...NAMES])
    select.append(
      $("<option/>")
        .val(v)
        .text(node._(`${type}.preset.${v}`)),
    );
  select.val(matching());
  select.on("change", () => {
    const p = select.val() as string;
    if (!(NAMES as string[]).includes(p)) return;
    const values = FIELD_PRESETS[p as PresetName];
    for (const f of FIELDS) field(f).val(String(values[f]));
    for (const f of FIELDS) field(f).trigger("change");
  });
  for (const f of FIELDS) field(f).on("change keyup", () => select.val(matching()));
  const showRow = (): void => {
    $(".tcpa-field-preset-row").toggle(field("event").val() === "field");
  };
  field("event").on("change", showRow);
  showRow();
}
