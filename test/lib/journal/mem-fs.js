"use strict";
// An in-memory JournalFs for fault injection: what each file holds now (a process crash keeps it) and what
// was synced (a power cut keeps only that), and a hook that can fail, tear or "crash" any call.

/** @typedef {{ op: string, path: string, fd?: number, length?: number }} Call */

/**
 * @param {Map<string, Buffer>} [start] files to begin with
 */
function memFs(start = new Map()) {
  /** @type {Map<string, Buffer>} */
  const files = new Map(start);
  /** @type {Map<string, Buffer>} */
  const synced = new Map(start);
  /** @type {Map<number, string>} */
  const fds = new Map();
  /** @type {Call[]} */
  const calls = [];
  let nextFd = 3;
  /** @type {(call: Call) => (void | { partial: number, error?: string })} */
  let hook = () => undefined;

  const err = (code) => Object.assign(new Error(`${code}: injected`), { code });
  /** Runs the hook; it may throw (an error, or a crash). */
  const enter = (call) => {
    calls.push(call);
    return hook(call);
  };
  const pathOf = (fd) => {
    const p = fds.get(fd);
    if (p === undefined) throw err("EBADF");
    return p;
  };

  const fs = {
    async mkdir(dir) {
      enter({ op: "mkdir", path: dir });
    },
    async readFile(path) {
      enter({ op: "readFile", path });
      const b = files.get(path);
      return b && Buffer.from(b);
    },
    async open(path, flags) {
      enter({ op: "open", path });
      if (flags === "w" || !files.has(path)) files.set(path, Buffer.alloc(0));
      const fd = nextFd++;
      fds.set(fd, path);
      return fd;
    },
    async write(fd, buf, offset, length) {
      const path = pathOf(fd);
      const r = enter({ op: "write", path, fd, length });
      const n = r && r.partial !== undefined ? Math.min(r.partial, length) : length;
      files.set(path, Buffer.concat([files.get(path) || Buffer.alloc(0), buf.subarray(offset, offset + n)]));
      if (r && r.error) throw err(r.error);
      return n;
    },
    async datasync(fd) {
      const path = pathOf(fd);
      enter({ op: "datasync", path, fd });
      synced.set(path, Buffer.from(files.get(path) || Buffer.alloc(0)));
    },
    async truncate(fd, length) {
      const path = pathOf(fd);
      enter({ op: "truncate", path, fd, length });
      files.set(path, (files.get(path) || Buffer.alloc(0)).subarray(0, length));
    },
    async close(fd) {
      enter({ op: "close", path: pathOf(fd), fd });
      fds.delete(fd);
    },
    async rename(from, to) {
      enter({ op: "rename", path: from });
      const b = files.get(from);
      if (!b) throw err("ENOENT");
      files.set(to, b);
      files.delete(from);
      if (synced.has(from)) synced.set(to, /** @type {Buffer} */ (synced.get(from)));
      synced.delete(from);
      for (const [fd, p] of fds) if (p === from) fds.set(fd, to);
    },
    async unlink(path) {
      enter({ op: "unlink", path });
      files.delete(path);
      synced.delete(path);
    },
    async syncDir(dir) {
      enter({ op: "syncDir", path: dir });
    },
  };
  return {
    fs,
    files,
    synced,
    calls,
    /** @param {(call: Call) => (void | { partial: number, error?: string })} h */
    setHook(h) {
      hook = h;
    },
  };
}

module.exports = { memFs };
