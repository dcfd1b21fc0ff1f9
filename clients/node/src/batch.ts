// A batch's replies as an async iterator: non-final batch_item replies become
// BatchItems (completion order), the final batch_done ends the iteration.
// Breaking out early, a timeout or an abort sends CancelRequest.
import type { CallOptions, Client } from './client';
import { Connection } from './connection';
import { ConnectionLost, ProtocolError, StickerdError, fromError } from './errors';
import { BatchDone, FormatName, PriorityName, ProfileName, ReplyObject, Sticker } from './proto';

export interface BatchOptions extends CallOptions {
  styleIds?: string[];
  format?: FormatName | number;
  profile?: ProfileName | number;
  priority?: PriorityName | number;
  deadlineMs?: number;
}

export interface BatchItem {
  index: number; // position in the batch's style list
  styleId: string;
  sticker?: Sticker; // exactly one of sticker and error is set
  error?: StickerdError;
}

type Event = ReplyObject | StickerdError;

export class BatchStream implements AsyncIterable<BatchItem> {
  done: BatchDone | null = null; // set when the iteration ended normally
  id: number | null = null;

  constructor(private readonly client: Client, private readonly request: Record<string, unknown>,
    private readonly options: CallOptions) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<BatchItem> {
    const deadline = this.options.timeoutMs === undefined ? undefined : Date.now() + this.options.timeoutMs;
    let attempts = this.client.retriesOnDisconnect;
    let yielded = 0;
    for (;;) {
      const conn = await this.client.connection();
      const id = conn.allocateId();
      this.id = id;
      const events = new EventQueue();
      conn.send({ id, batch: this.request }, (reply) => events.push(reply));
      const watch = this.client.watch(conn, id, deadline, this.options.signal, (err) => events.push(err));
      let final = false;
      try {
        for (;;) {
          const event = await events.next();
          if (event instanceof StickerdError) {
            final = true;
            throw event;
          }
          if (event.body === 'batchItem') {
            const item = event.batchItem!;
            yielded++;
            yield item.result === 'error'
              ? { index: item.index, styleId: item.styleId, error: fromError(item.error!, id) }
              : { index: item.index, styleId: item.styleId, sticker: item.sticker };
            continue;
          }
          final = true;
          if (event.body === 'batchDone') {
            this.done = event.batchDone!;
            return;
          }
          if (event.body === 'error') throw fromError(event.error!, id);
          throw new ProtocolError(`unexpected ${event.body} reply to a batch`, id);
        }
      } catch (err) {
        // Re-sending is invisible to the caller only if nothing was yielded.
        if (err instanceof ConnectionLost && yielded === 0 && attempts-- > 0) continue;
        throw err;
      } finally {
        watch.stop();
        conn.forget(id);
        if (!final) abandon(this.client, conn, id); // the consumer stopped early
      }
    }
  }
}

function abandon(client: Client, conn: Connection, id: number): void {
  if (conn.alive) void client.sendCancel(conn, id);
}

// A minimal single-consumer async queue.
class EventQueue {
  private items: Event[] = [];
  private waiter: ((e: Event) => void) | null = null;

  push(event: Event): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(event);
    } else {
      this.items.push(event);
    }
  }

  next(): Promise<Event> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}
