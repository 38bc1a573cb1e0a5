#!/usr/bin/env node
/**
 * tcp-automation-replay: plays a capture downloaded from the traffic view
 * (format=json) as a simulated device, for tests and CI.
 *
 *   tcp-automation-replay capture.json --to 127.0.0.1:7000 [--fast]
 *       connects and plays the client side (the scanner, for a trigger's capture)
 *   tcp-automation-replay capture.json --serve 9100 [--host 127.0.0.1] [--fast] [--once]
 *       listens and plays the server side to each client (the printer or PLC, for a tcp client's capture)
 *
 * Exit code 0 when the other side sent at least the recorded bytes, 1 when it sent fewer, 2 on bad arguments.
 */
import { readFileSync } from "node:fs";
import { parseCapture, replayClient, serveReplay, type ReplayOptions } from "../lib/traffic/replay";

const USAGE = "usage: tcp-automation-replay <capture.json> (--to host:port | --serve port [--host address] [--once]) [--fast] [--wait ms]";

interface Args {
  file: string;
  to?: { host: string; port: number };
  serve?: number;
  host: string;
  once: boolean;
  opts: ReplayOptions;
}

function port(text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`not a port: ${String(text)}`);
  return n;
}

export function parseArgs(argv: string[]): Args {
  const a: Args = { file: "", host: "127.0.0.1", once: false, opts: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--fast") a.opts.fast = true;
    else if (arg === "--once") a.once = true;
    else if (arg === "--to") {
      const v = argv[++i] ?? "";
      const at = v.lastIndexOf(":");
      if (at <= 0) throw new Error(`--to wants host:port, got ${v}`);
      a.to = { host: v.slice(0, at).replace(/^\[|\]$/g, ""), port: port(v.slice(at + 1)) };
    } else if (arg === "--serve") a.serve = port(argv[++i]);
    else if (arg === "--host") a.host = argv[++i] ?? a.host;
    else if (arg === "--wait") a.opts.waitMs = port(argv[++i]);
    else if (arg.startsWith("--")) throw new Error(`unknown option ${arg}`);
    else a.file = arg;
  }
  if (a.file === "" || (a.to === undefined) === (a.serve === undefined)) throw new Error(USAGE);
  return a;
}

export function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let args: Args;
  let capture: ReturnType<typeof parseCapture>;
  try {
    args = parseArgs(argv);
    capture = parseCapture(JSON.parse(readFileSync(args.file, "utf8")));
  } catch (err) {
    // A bad option, an unreadable file or no capture in it: one line that says which, not a stack trace.
    const text = (err as Error).message;
    process.stderr.write(text === USAGE ? `${USAGE}\n` : `${text}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args.to) {
    replayClient(capture, args.to.host, args.to.port, args.opts).then(
      (r) => {
        process.stdout.write(`sent ${r.sent} bytes, received ${r.received.length}${r.short ? " (fewer than recorded)" : ""}\n`);
        process.exitCode = r.short ? 1 : 0;
      },
      (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      },
    );
    return;
  }
  const server = serveReplay(capture, {
    ...args.opts,
    onDone: (r) => {
      process.stdout.write(`client done: sent ${r.sent} bytes, received ${r.received.length}${r.short ? " (fewer than recorded)" : ""}\n`);
      if (args.once) {
        process.exitCode = r.short ? 1 : 0;
        server.close();
      }
    },
  });
  server.listen(args.serve, args.host, () =>
    process.stdout.write(`serving the recorded server side on ${args.host}:${String(args.serve)}\n`),
  );
}

if (require.main === module) main();
