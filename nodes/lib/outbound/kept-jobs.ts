/**
 * The send node's jobs on disk: the shared keeper (lib/journal/keeper) with
 * the destination as each kept job's own fields (host, port).
 */
import { JobKeeper, type KeeperOptions, type KeptAtStart, type KeptNodeJob } from "../journal";
import type { Destination } from "./destination";
import type { Msg } from "./node-io";

export { journalFile, StaleError, type KeptAtStart } from "../journal";

/** A send job kept from before the start; seq is its journal number. */
export interface KeptSendJob extends KeptNodeJob<{ host: string; port: number }> {
  dest: Destination;
}

export class Keeper {
  private readonly k: JobKeeper<{ host: string; port: number }>;

  constructor(o: KeeperOptions) {
    this.k = new JobKeeper(o);
  }

  /** Opens the journal; a journal that cannot be opened rejects, and every job after fails with EPERSIST. */
  async open(): Promise<KeptAtStart<KeptSendJob>> {
    const at = await this.k.open();
    const withDest = (j: KeptNodeJob<{ host: string; port: number }>): KeptSendJob => ({
      ...j,
      dest: { host: j.fields.host, port: j.fields.port },
    });
    return { ...at, jobs: at.jobs.map(withDest), stale: at.stale.map((s) => ({ job: withDest(s.job), err: s.err })) };
  }

  /** Keeps a job; kept is called once it is on disk, with its seq, or with the PersistError that kept it off. */
  keep(jobId: string, dest: Destination, data: Buffer, msg: Msg, kept: (err: Error | null, seq?: number) => void): void {
    this.k.keep(jobId, { host: dest.host, port: dest.port }, data, msg, kept);
  }

  end(seq: number): void {
    this.k.end(seq);
  }

  /** Closes the journal (kept jobs stay); removed: deletes it and gives the number of kept jobs dropped. */
  close(removed: boolean): Promise<number> {
    return this.k.close(removed);
  }
}
