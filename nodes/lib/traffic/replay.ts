/**
 * A recorded capture played back as one side of the conversation: the
 * client side against a server (a trigger, to test a flow without the
 * scanner), or the server side to a client (a tcp client or send node, to
 * test without the printer or PLC).
 *
 * Order is kept: before each chunk of its own side, the player waits until
 * the other side sent at least as many bytes as it had by then in the
 * recording (or waitMs passed). Timing is the recorded one (a chunk goes no
 * earlier than its recorded time after the first chunk), or with fast as
 * soon as order allows.
 *
 * Which side is which follows the capture's direction: for a connection the
 * peer opened ("in", a trigger or bridge), the client is the peer and sent
 * the "in" chunks; for one the node dialled ("out", a tcp client), the
 * client is the node and sent the "out" chunks.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface ReplayChunk {
  t: number;
  dir: "in" | "out";
  data: Buffer;
}

export interface Replayable {
  direction: "in" | "out";
  chunks: ReplayChunk[];
}

export interface ReplayOptions {
  /** As fast as order allows, ignoring the recorded timing. */
  fast?: boolean;
  /** How long to wait for the other side's bytes before going on anyway (ms). */
  waitMs?: number;
}

export interface ReplayResult {
  /** Bytes sent by the player. */
  sent: number;
  /** What the other side sent. */
  received: Buffer;
  /** The other side sent fewer bytes than recorded (we gave up waiting once at least). */
  short: boolean;
}

/** A capture as the traffic route's JSON gives it (bytes in base64); throws a TypeError on anything else. */
export function parseCapture(json: unknown): Replayable {
  if (typeof json !== "object" || json === null) throw new TypeError("not a capture: no chunks");
  const o = json as { direction?: unknown; chunks?: unknown };
  if (!Array.isArray(o.chunks)) throw new TypeError("not a capture: no chunks");
  const direction = o.direction === "out" ? "out" : "in";
  const chunks = (o.chunks as unknown[]).map((c, i) => {
    const x = c as { t?: unknown; dir?: unknown; data?: unknown };
    if ((x.dir !== "in" && x.dir !== "out") || typeof x.data !== "string" || typeof x.t !== "number")
      throw new TypeError(`not a capture: chunk ${i} needs t, dir ("in" or "out") and data (base64)`);
    const dir: "in" | "out" = x.dir;
    return { t: x.t, dir, data: Buffer.from(x.data, "base64") };
  });
  return { direction, chunks };
}

/** The direction of the chunks the client (or server) side sent. */
export function sideOf(capture: Replayable, side: "client" | "server"): "in" | "out" {
  const clientDir = capture.direction === "in" ? "in" : "out";
  if (side === "client") return clientDir;
  return clientDir === "in" ? "out" : "in";
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Plays the chunks of direction `mine` on an open socket; resolves when done and the other side's bytes are in (or waited for). */
export async function converse(socket: Socket, capture: Replayable, mine: "in" | "out", opts: ReplayOptions = {}): Promise<ReplayResult> {
  const waitMs = opts.waitMs ?? 5000;
  const got: Buffer[] = [];
  let received = 0;
  /** An object, not a let: it changes in the listeners, which the type checker does not follow. */
  const state = { closed: false };
  let wake: (() => void) | undefined;
  socket.on("data", (b: Buffer) => {
    got.push(b);
    received += b.length;
    wake?.();
  });
  socket.on("close", () => {
    state.closed = true;
    wake?.();
  });
  socket.on("error", () => undefined); // 'close' follows
  const waitFor = async (bytes: number): Promise<boolean> => {
    const until = Date.now() + waitMs;
    while (received < bytes && !state.closed) {
      const left = until - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      wake = undefined;
    }
    return received >= bytes;
  };

  const t0 = capture.chunks.length > 0 ? capture.chunks[0].t : 0;
  const start = Date.now();
  let theirs = 0;
  let sent = 0;
  let short = false;
  for (const c of capture.chunks) {
    if (c.dir !== mine) {
      theirs += c.data.length;
      continue;
    }
    if (!(await waitFor(theirs))) short = true;
    if (state.closed) break;
    if (!opts.fast) {
      const due = start + (c.t - t0) - Date.now();
      if (due > 0) await sleep(due);
    }
    socket.write(c.data);
    sent += c.data.length;
  }
  if (!state.closed && !(await waitFor(theirs))) short = true;
  return { sent, received: Buffer.concat(got), short };
}

/** Connects to host:port and plays the capture's client side; ends the connection when done. */
export async function replayClient(capture: Replayable, host: string, port: number, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const socket = connect({ host, port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  try {
    return await converse(socket, capture, sideOf(capture, "client"), opts);
  } finally {
    socket.end();
  }
}

/** Listens and plays the capture's server side to every client that connects; onDone hears of each conversation. */
export function serveReplay(
  capture: Replayable,
  opts: ReplayOptions & { onDone?: (r: ReplayResult, socket: Socket) => void } = {},
): Server {
  return createServer((socket) => {
    socket.setNoDelay(true);
    void converse(socket, capture, sideOf(capture, "server"), opts).then((r) => {
      opts.onDone?.(r, socket);
      socket.end();
    });
  });
}
