/**
 * Typed inputs (a value and its type: "str", "msg", "flow", ...), as the send
 * node's destination and data: the type, and the value read with its type.
 * A value of a type that names something (msg, flow, global, env) must name
 * it: an empty name can never give a destination.
 */
import { ok, refused, str, type Common, declared, type Declared, type View } from "./core";
import { destinationPort, splitHostPort } from "./host";

/** A typedInput as the editor stores it: value and type. */
export interface TypedProp {
  type: string;
  value: string;
}

/** The type field; refused as the property it belongs to (key), detail "type X". `offered`: the editor's choice. */
export function typedType<
  D extends Common & { value: string; types: readonly string[]; offered?: readonly string[]; key: string; message: string },
>(spec: D): Declared<string, D> {
  return declared<string, D>({
    ...spec,
    options: { values: spec.offered ?? spec.types, text: () => undefined },
    read(raw) {
      const t = str(raw) === "" ? spec.value : str(raw);
      return spec.types.includes(t) ? ok(t) : refused(`type ${t}`);
    },
  });
}

/** The type of a typed value, or undefined while its type field is refused (then the value is not read either). */
function typeOf(p: View, typeProp: string): string | undefined {
  const t = p.value(typeProp);
  return typeof t === "string" ? t : undefined;
}

/** A value whose type field is refused is refused as that type is (the same key, detail "type X"). */
const badType = (p: View, typeProp: string) => refused<never>(`type ${str(p.raw(typeProp))}`);

/** What to send: absent means `value` ("payload"); a msg property must be named. */
export function typedData<D extends Common & { value: string; typeProp: string; message: string }>(spec: D): Declared<TypedProp, D> {
  return declared<TypedProp, D>({
    ...spec,
    read(raw, p) {
      const type = typeOf(p, spec.typeProp);
      const value = raw === undefined ? spec.value : str(raw);
      if (type === undefined) return badType(p, spec.typeProp);
      return type === "msg" && value.trim() === "" ? refused("msg.") : ok({ type, value });
    },
  });
}

/** The destination host: a fixed one ("" = none: from the message) is "host" or "host:port"; another type names its source. */
export function destinationHost<D extends Common & { typeProp: string; message: string }>(spec: D): Declared<TypedProp | undefined, D> {
  return declared<TypedProp | undefined, D>({
    ...spec,
    read(raw, p) {
      const type = typeOf(p, spec.typeProp);
      const value = str(raw);
      if (type === undefined) return badType(p, spec.typeProp);
      if (type !== "str") return value.trim() === "" ? refused(value) : ok({ type, value });
      if (value.trim() === "") return ok(undefined);
      return splitHostPort(value).ok ? ok({ type, value }) : refused(value);
    },
  });
}

/**
 * The destination port: a fixed one ("" = none) is 1 to 65535, another type
 * names its source. A fixed host needs a port, in its text or here: a
 * trigger's msg.port is the client's port, not the printer's.
 */
export function destinationPortProp<D extends Common & { typeProp: string; hostProp: string; message: string; needsPort: string }>(
  spec: D,
): Declared<TypedProp | undefined, D> {
  return declared<TypedProp | undefined, D>({
    ...spec,
    read(raw, p) {
      const type = typeOf(p, spec.typeProp);
      const value = str(raw);
      if (type === undefined) return badType(p, spec.typeProp);
      if (type !== "num" && type !== "str") return value.trim() === "" ? refused(value) : ok({ type, value });
      if (value.trim() !== "") return destinationPort(value) === undefined ? refused(value) : ok({ type, value });
      const host = p.value(spec.hostProp) as TypedProp | undefined;
      if (host && host.type === "str") {
        const split = splitHostPort(host.value);
        if (split.ok && split.port === undefined) return refused("", spec.needsPort);
      }
      return ok(undefined);
    },
  });
}
