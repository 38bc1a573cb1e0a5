/**
 * The kinds of property that are not numbers or addresses: a choice of words,
 * a checkbox, free text, a config node reference and the editor's own
 * bookkeeping (outputs).
 */
import { declared, ok, refused, type Common, type Declared } from "./core";

/** One of some words (a select in the editor), by its text; undefined, null and "" mean the default. */
export function choice<T extends string, D extends Common & { message: string; text?: (v: string) => string | undefined }>(
  spec: D & { values: readonly T[] },
): Declared<T, D> {
  const fallback = String(spec.value);
  return declared<T, D>({
    ...spec,
    options: spec.options ?? { values: spec.values, text: spec.text ?? (() => undefined) },
    read(raw) {
      const s = raw === undefined || raw === null || raw === "" ? fallback : String(raw);
      return (spec.values as readonly string[]).includes(s) ? ok(s as T) : refused(s);
    },
  });
}

export function toBool(v: unknown): boolean {
  return v === true || v === "true";
}

/** A checkbox: only an explicit true ("true") turns on one that is off by default, only false ("false") turns off one that is on. */
export function bool<D extends Common & { value: boolean }>(spec: D): Declared<boolean, D> {
  return declared<boolean, D>({
    ...spec,
    read: (raw: unknown) => ok(spec.value ? !(raw === false || raw === "false") : toBool(raw)),
  });
}

/** Free text (name, topic); anything but a string reads as "". */
export function text<D extends Common & { value: string }>(spec: D): Declared<string, D> {
  return declared<string, D>({ ...spec, read: (raw: unknown) => ok(typeof raw === "string" ? raw : "") });
}

/** The id of a config node ("" for none); whether that node exists is for the runtime to find out. */
export function configNode<D extends Omit<Common, "value"> & { configType: string }>(spec: D): Declared<string, D> {
  return declared<string, D>({ ...spec, read: (raw: unknown) => ok(typeof raw === "string" ? raw.trim() : "") });
}

/** A property only the editor uses (the number of outputs): never checked. */
export function editorOnly<D extends Common & { value: number }>(spec: D): Declared<unknown, D> {
  return declared<unknown, D>({ ...spec, read: (raw: unknown) => ok(raw) });
}
