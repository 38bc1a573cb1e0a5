/**
 * lib/journal: jobs kept on disk across restarts, crashes and power cuts.
 * No Node-RED import; the file operations come in through an interface so
 * tests can make the disk fail.
 *
 *   crc32    the checksum of each record (Node 18 has no zlib.crc32)
 *   record   the records on disk, and reading them up to the first damage
 *   replay   the kept jobs a file holds
 *   rewrite  replacing a file so a crash leaves the old or the new one
 *   journal  add, end, batched sync, bounds, compaction
 *   errors   EPERSIST
 *   fs       the file operations (Node's, or a test's)
 *   kept-msg a message as a kept job stores it (JSON, Buffers as base64)
 *   keeper   a node's kept jobs: open with bounds and age (ESTALE), keep (EPERSIST), end, close; journalFile
 *   close-guard  how long a node's close may take at most, with or without kept jobs
 */
export * from "./close-guard";
export * from "./crc32";
export * from "./errors";
export * from "./fs";
export * from "./journal";
export * from "./record";
export * from "./replay";
export * from "./rewrite";
export * from "./keeper";
export * from "./kept-msg";
