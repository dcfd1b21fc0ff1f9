// The promise API. One Client multiplexes any number of concurrent calls over
// one connection, reconnects after a daemon restart, and re-sends idempotent
// calls once when the connection was lost before their final reply.
//
//   const client = new Client({ socketPath });
//   const sticker = await client.render('hello', { styleId: 'classic', timeoutMs: 10_000 });
//   for await (const item of client.batch('hello')) console.log(item.index, item.styleId);
import { BatchStream, BatchOptions } from './batch';
import { Connection, ReplyHandler } from './connection';
import { Cancelled, ConnectionLost, ProtocolError, RequestTimeout, StickerdError, fromError } from './errors';
import { DEFAULT_MAX_FRAME_BYTES } from './framing';
import { FormatName, PriorityName, ProfileName, ReplyObject, Stats, Sticker, StyleList } from './proto';
import { defaultSocketPath } from './socketPath';

export interface ClientOptions {
  socketPath?: string;
  timeoutMs?: number; // default per-call timeout; undefined: wait forever
  connectTimeoutMs?: number; // how long to wait for a (re)starting daemon's socket
  retriesOnDisconnect?: number;
  maxFrameBytes?: number;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RenderOptions extends CallOptions {
  styleId?: string;
  format?: FormatName | number;
  profile?: ProfileName | number;
  priority?: PriorityName | number;
  deadlineMs?: number; // 0/undefined: timeoutMs if given, else the daemon's default
}

export class Client {
  readonly socketPath: string;
  readonly timeoutMs?: number;
  readonly connectTimeoutMs: number;
  readonly retriesOnDisconnect: number;
  private readonly maxFrameBytes: number;
  private connecting: Promise<Connection> | null = null;

  constructor(options: ClientOptions = {}) {
    this.socketPath = options.socketPath ?? defaultSocketPath();
    this.timeoutMs = options.timeoutMs;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.retriesOnDisconnect = options.retriesOnDisconnect ?? 1;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  // The live connection, opening a new one if there is none or it died.
  async connection(): Promise<Connection> {
    if (this.connecting) {
      const conn = await this.connecting.catch(() => null);
      if (conn?.alive) return conn;
    }
    const attempt = Connection.open(this.socketPath, this.connectTimeoutMs, this.maxFrameBytes);
    this.connecting = attempt;
    attempt.catch(() => {
      if (this.connecting === attempt) this.connecting = null;
    });
    return attempt;
  }

  close(): void {
    const pending = this.connecting;
    this.connecting = null;
    pending?.then((c) => c.close(), () => undefined);
  }

  render(text: string, options: RenderOptions = {}): Promise<Sticker> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const render = {
      text,
      styleId: options.styleId ?? '',
      format: options.format ?? 0,
      profile: options.profile ?? 0,
      priority: options.priority ?? 0,
      deadlineMs: deadlineFor(timeoutMs, options.deadlineMs),
    };
    return this.retrying({ render }, 'sticker', { ...options, timeoutMs }) as Promise<Sticker>;
  }

  stats(options: CallOptions = {}): Promise<Stats> {
    return this.retrying({ stats: {} }, 'stats', options) as Promise<Stats>;
  }

  styles(options: CallOptions = {}): Promise<StyleList> {
    return this.retrying({ listStyles: {} }, 'styles', options) as Promise<StyleList>;
  }

  // One text in many styles (empty styleIds: every style). Iterate the result
  // with `for await`; items come in completion order; `.done` holds BatchDone.
  batch(text: string, options: BatchOptions = {}): BatchStream {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new BatchStream(this, {
      text,
      styleIds: options.styleIds ?? [],
      format: options.format ?? 0,
      profile: options.profile ?? 0,
      priority: options.priority ?? 0,
      deadlineMs: deadlineFor(timeoutMs, options.deadlineMs),
    }, { ...options, timeoutMs });
  }

  private async retrying(kind: Record<string, unknown>, expected: keyof ReplyObject, options: CallOptions): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    for (let attempts = this.retriesOnDisconnect; ; attempts--) {
      try {
        return await this.once(kind, expected, deadline, options.signal);
      } catch (err) {
        if (!(err instanceof ConnectionLost) || attempts <= 0) throw err;
      }
    }
  }

  private async once(kind: Record<string, unknown>, expected: keyof ReplyObject, deadline?: number, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) throw new Cancelled('aborted before it was sent', undefined, { cause: signal.reason });
    const conn = await this.connection();
    const id = conn.allocateId();
    return new Promise((resolve, reject) => {
      conn.send({ id, ...kind }, (reply) => {
        watch.stop();
        conn.forget(id);
        if (reply instanceof StickerdError) reject(reply);
        else if (reply.body === 'error') reject(fromError(reply.error!, id));
        else if (reply.body !== expected) reject(new ProtocolError(`expected ${expected}, got ${reply.body}`, id));
        else resolve(reply[expected]);
      });
      // Armed after the send, so an abort that already happened cancels a
      // request the daemon has (replies cannot arrive before this returns).
      const watch = this.watch(conn, id, deadline, signal, reject);
    });
  }

  // Arms the timeout and the abort signal of request `id` (call it after the
  // request was sent); either one stops waiting, tells the daemon to cancel,
  // and rejects with `fail`.
  watch(conn: Connection, id: number, deadline: number | undefined, signal: AbortSignal | undefined,
    fail: (err: StickerdError) => void): { stop(): void } {
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const giveUp = (err: StickerdError) => {
      stop();
      conn.forget(id);
      err.cancelAck = this.sendCancel(conn, id);
      fail(err);
    };
    const onAbort = () => giveUp(new Cancelled('aborted by the caller', id, { cause: signal?.reason }));
    if (deadline !== undefined) {
      const ms = Math.max(0, deadline - Date.now());
      timer = setTimeout(() => giveUp(new RequestTimeout(`no reply within ${ms} ms; request cancelled`, id)), ms);
    }
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return { stop };
  }

  // Sends CancelRequest{target_id}; resolves to CancelReply.found (false if
  // the connection is gone: then nothing is left to cancel).
  sendCancel(conn: Connection, targetId: number): Promise<boolean> {
    return new Promise((resolve) => {
      const id = conn.allocateId();
      const handler: ReplyHandler = (reply) => {
        conn.forget(id);
        resolve(!(reply instanceof StickerdError) && reply.body === 'cancel' && !!reply.cancel?.found);
      };
      try {
        conn.send({ id, cancel: { targetId } }, handler);
      } catch {
        resolve(false);
      }
    });
  }
}

// A per-call timeout also bounds the daemon's work unless a deadline is given.
function deadlineFor(timeoutMs?: number, deadlineMs?: number): number {
  if (deadlineMs) return deadlineMs;
  return timeoutMs === undefined ? 0 : Math.max(1, Math.ceil(timeoutMs));
}
