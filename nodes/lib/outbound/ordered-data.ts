/**
 * A message's data as bytes, in arrival order, for the controllers that write
 * to live sessions (reply, broadcast). The hot path (data known without a
 * callback, nothing evaluating ahead of it) answers at once with no ticket,
 * promise or closure; an evaluation that may answer later (JSONata, a context
 * store) takes a ticket so its bytes are written after every earlier message's.
 */
import { CodedError, type Translate } from "../base/coded-error";
import { InOrder } from "./in-order";
import { toBytes } from "./payload";
import { evaluationError } from "./send-errors";
import type { Evaluate, Msg, ReadNow } from "./node-io";

export interface OrderedDataOptions {
  /** The data for a message, from a callback. */
  data: Evaluate;
  /** The same, when it is known without a callback: the hot path. */
  dataNow?: ReadNow;
  encoding: string;
  t: Translate;
}

export class OrderedData {
  private readonly order = new InOrder();

  constructor(private readonly o: OrderedDataOptions) {}

  /** The bytes (or why there are none) now; undefined when they must come through later(). */
  now(msg: Msg): Buffer | Error | undefined {
    const { o } = this;
    if (!o.dataNow || this.order.waiting > 0) return undefined;
    try {
      return toBytes(o.dataNow(msg), o.encoding);
    } catch (err) {
      return err as Error;
    }
  }

  /** Calls back with the bytes (or why there are none) once every earlier message's have been handled. */
  later(msg: Msg, cb: (data: Buffer | Error) => void): void {
    const { o } = this;
    const ticket = this.order.take();
    o.data(msg, (err, value) => {
      let result: Buffer | Error;
      if (err) result = evaluationError("data", err, o.t);
      else {
        try {
          result = toBytes(value, o.encoding);
        } catch (e) {
          result = e instanceof Error ? e : new CodedError("EIO", String(e));
        }
      }
      this.order.complete(ticket, () => cb(result));
    });
  }
}
