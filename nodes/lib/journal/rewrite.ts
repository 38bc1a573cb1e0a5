/**
 * Replaces a file so that a crash at any point leaves either the old file or
 * the new one, whole: write a temporary file beside it, sync it, rename it
 * over the old one, sync the directory. A temporary file left by a crash is
 * removed at the next open (tempOf).
 */
import { dirname } from "node:path";
import type { JournalFs } from "./fs";

export const tempOf = (file: string): string => `${file}.tmp`;

async function writeAll(fs: JournalFs, fd: number, buf: Buffer): Promise<void> {
  for (let at = 0; at < buf.length;) {
    const n = await fs.write(fd, buf, at, buf.length - at);
    if (n <= 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
    at += n;
  }
}

/** Writes chunks as the whole new content of file; the number of bytes written. */
export async function rewrite(fs: JournalFs, file: string, chunks: Buffer[]): Promise<number> {
  const tmp = tempOf(file);
  const fd = await fs.open(tmp, "w");
  let size = 0;
  try {
    const all = Buffer.concat(chunks);
    await writeAll(fs, fd, all);
    await fs.datasync(fd);
    size = all.length;
  } catch (err) {
    await fs.close(fd).catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fs.close(fd);
  await fs.rename(tmp, file);
  await fs.syncDir(dirname(file));
  return size;
}

export { writeAll };
