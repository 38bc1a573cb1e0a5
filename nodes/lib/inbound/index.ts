/**
 * lib/inbound: bytes a peer sends, turned into messages. A listener admits
 * connections (access lists, per-address limits, PROXY protocol, TLS), each
 * becomes a registered session whose stream is framed and decoded.
 *
 *   listener        listen, admit or refuse, retry a taken port, stop
 *   connection      a socket -> a registered session with a framed stream
 *   stream          framing + decoding + read/idle timers of one connection
 *   framing         chunks in, frames out (every mode; the two below in files of their own)
 *   framing-base    what every framer shares: sink, remainder, too-large error, skipped-bytes count
 *   framing-startend  start and end bytes (STX/ETX): resync on a new start, escape byte
 *   framing-field   a length field at an offset (Modbus/TCP MBAP, IEC 104 APCI)
 *   framing-config  the framing properties, read through lib/schema
 *   listen-config   port, bind address, limits, access lists, PROXY, read through lib/schema
 *   access-control  allow/deny lists (IP, CIDR)
 *   proxy-protocol  PROXY v1/v2 header parser
 *   events          the connection event messages of every node
 */
export * from "./access-control";
export * from "./connection";
export * from "./events";
export * from "./framing";
export * from "./framing-config";
export * from "./listen-config";
export * from "./listener";
export * from "./proxy-protocol";
export * from "./stream";
