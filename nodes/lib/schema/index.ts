/**
 * lib/schema: every node's properties declared once: the editor's default,
 * how the runtime reads the stored value, the range or grammar, when the row
 * applies and the catalog key of the editor's message. Plain code with no
 * import of Node.js or Node-RED: the runtime's parsers read through it, and
 * the build bundles the same files into the editor's script
 * (resources/editor-common.js), where they give the defaults and validators.
 *
 *   core          Prop, Reading, View, Env: what a schema is made of
 *   read          readProps (runtime), checkProp and rowShown (editor)
 *   config-error  ConfigError, what a refused property becomes at runtime
 *   numbers       whole numbers, ports, seconds, a choice of numbers
 *   plain         choices, checkboxes, text, config node references
 *   ip            IPv4 / IPv6 literals, as Node.js's net.isIP decides
 *   host          hosts, host:port destinations
 *   escapes       "\r\n\x03"-style byte sequences
 *   access        allow / deny lists of addresses and CIDR ranges
 *   encoding      encoding names
 *   property-path msg property paths
 *   typed         typed inputs: destination host and port, data
 *   named, listen, framing, security, bridge, send, client, persist   the groups of properties
 *   nodes         one schema per node type
 */
export * from "./access";
export * from "./bridge";
export * from "./client";
export * from "./config-error";
export * from "./core";
export * from "./encoding";
export * from "./escapes";
export * from "./framing";
export * from "./host";
export * from "./ip";
export * from "./listen";
export * from "./named";
export * from "./nodes";
export * from "./numbers";
export * from "./persist";
export * from "./plain";
export * from "./property-path";
export * from "./read";
export * from "./security";
export * from "./send";
export * from "./typed";
