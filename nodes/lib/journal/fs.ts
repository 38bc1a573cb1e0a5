/**
 * The few file operations the journal makes, as an interface: the runtime
 * passes Node's (nodeFs); tests pass one that tears writes, flips bits or
 * runs out of space at a chosen call.
 */
import * as fs from "node:fs";
import { promisify } from "node:util";

export interface JournalFs {
  /** Makes the directory and its parents; no error when it exists. */
  mkdir(dir: string): Promise<void>;
  /** The file's bytes; undefined when there is no such file. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** Opens for appending ("a") or as a new empty file ("w"); gives a handle. */
  open(path: string, flags: "a" | "w"): Promise<number>;
  /** Writes from buf[offset, offset+length) at the end; may write fewer bytes (then says how many). */
  write(fd: number, buf: Buffer, offset: number, length: number): Promise<number>;
  /** The written data is on the disk (fdatasync). */
  datasync(fd: number): Promise<void>;
  truncate(fd: number, length: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is missing. */
  unlink(path: string): Promise<void>;
  /** The directory's entries (a rename, a new file) are on the disk. */
  syncDir(dir: string): Promise<void>;
}

const missing = (err: unknown): boolean => (err as { code?: unknown }).code === "ENOENT";

const write = promisify(fs.write);
const fdatasync = promisify(fs.fdatasync);
const fsync = promisify(fs.fsync);
const ftruncate = promisify(fs.ftruncate);
const close = promisify(fs.close);
const open = promisify(fs.open);

/** Node's file system. */
export const nodeFs: JournalFs = {
  async mkdir(dir) {
    await fs.promises.mkdir(dir, { recursive: true });
  },
  async readFile(path) {
    try {
      return await fs.promises.readFile(path);
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
  },
  open: (path, flags) => open(path, flags),
  write: async (fd, buf, offset, length) => (await write(fd, buf, offset, length)).bytesWritten,
  datasync: (fd) => fdatasync(fd),
  truncate: (fd, length) => ftruncate(fd, length),
  close: (fd) => close(fd),
  rename: (from, to) => fs.promises.rename(from, to),
  async unlink(path) {
    try {
      await fs.promises.unlink(path);
    } catch (err) {
      if (!missing(err)) throw err;
    }
  },
  async syncDir(dir) {
    // Windows cannot open a directory; its rename is as durable as it gets there.
    if (process.platform === "win32") return;
    const fd = await open(dir, "r");
    try {
      await fsync(fd);
    } finally {
      await close(fd);
    }
  },
};
