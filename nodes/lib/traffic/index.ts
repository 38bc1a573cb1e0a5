/**
 * lib/traffic: the recent bytes of each connection, for the manager's traffic
 * view, its downloads and replay. No Node-RED import.
 *
 *   ring      one direction's last bytes, bounded
 *   capture   one connection: both directions, frame ends, close reason
 *   tap       a socket feeds its capture (only when on)
 *   store     a manager's captures, within a byte budget
 *   text2pcap the hex dump Wireshark's text2pcap reads
 *   replay    play a capture's client or server side
 */
export * from "./ring";
export * from "./capture";
export * from "./tap";
export * from "./store";
export * from "./text2pcap";
export * from "./replay";
