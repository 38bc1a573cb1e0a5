/** A msg property path for a value the node stores in the message ("reply", "msg.printer.status", "items[0].ack"). */
import { ok, refused, str, type Common, declared, type Declared } from "./core";

const PROPERTY = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[[0-9]+\])*$/;

/** The path without "msg.", or undefined when it is none. */
export function propertyPath(v: unknown): string | undefined {
  const p = str(v)
    .trim()
    .replace(/^msg\./, "");
  return PROPERTY.test(p) ? p : undefined;
}

/** Absent means the editor default (`value`); "" is refused. */
export function messageProperty<D extends Common & { value: string; message: string }>(spec: D): Declared<string, D> {
  return declared<string, D>({
    ...spec,
    read(raw) {
      const v = raw === undefined ? spec.value : raw;
      const p = propertyPath(v);
      return p === undefined ? refused(str(v)) : ok(p);
    },
  });
}
