// One Unix-socket connection: frames out, replies routed to per-id handlers.
// Every in-flight request registers a handler under its id; replies for ids
// nobody waits on any more (abandoned after a timeout or abort) are dropped.
import * as net from 'node:net';

import { ConnectionLost, FrameTooLarge, ProtocolError, StickerdError, forRequest, fromError } from './errors';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameTooLargeError, encodeFrame } from './framing';
import { ReplyObject, decodeReply, encodeRequest } from './proto';

export type ReplyHandler = (reply: ReplyObject | StickerdError) => void;

// Errors that mean "the daemon is not (yet) listening": worth waiting for.
const NOT_LISTENING = new Set(['ENOENT', 'ECONNREFUSED', 'EAGAIN']);

function connectOnce(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly handlers = new Map<number, ReplyHandler>();
  private nextId = 1; // 0 is the daemon's "no request" id
  private closedWith: StickerdError | null = null;

  private constructor(private readonly socket: net.Socket, maxFrameBytes: number) {
    this.decoder = new FrameDecoder(maxFrameBytes);
    this.updateRef();
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.failAll(new ConnectionLost(`socket error: ${err.message}`)));
    socket.on('close', () => this.failAll(new ConnectionLost('the daemon closed the connection')));
  }

  // Connects, retrying while the socket is missing or refusing (a daemon
  // that is restarting) until `timeoutMs` has passed.
  static async open(path: string, timeoutMs: number, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Promise<Connection> {
    const deadline = Date.now() + timeoutMs;
    let delay = 10;
    for (;;) {
      try {
        return new Connection(await connectOnce(path), maxFrameBytes);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (!NOT_LISTENING.has(code) || Date.now() >= deadline) {
          throw new ConnectionLost(`cannot connect to ${path}: ${(err as Error).message}`, undefined, undefined, { cause: err });
        }
      }
      // Nothing to wait on while the socket file does not exist: poll, backing off.
      await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
      delay = Math.min(delay * 2, 200);
    }
  }

  get alive(): boolean {
    return this.closedWith === null;
  }

  allocateId(): number {
    return this.nextId++;
  }

  // Sends a request; `handler` (if any) gets every reply with its id.
  send(request: { id: number } & Record<string, unknown>, handler?: ReplyHandler): void {
    if (this.closedWith) throw forRequest(this.closedWith, request.id);
    if (handler) this.handlers.set(request.id, handler);
    this.updateRef();
    this.socket.write(encodeFrame(encodeRequest(request)));
  }

  forget(id: number): void {
    this.handlers.delete(id);
    this.updateRef();
  }

  close(): void {
    this.failAll(new ConnectionLost('connection closed by the client'));
    this.socket.destroy();
  }

  // Keeps the process alive only while requests are pending (a bot's idle
  // connection must not stop it from exiting).
  private updateRef(): void {
    if (this.handlers.size > 0) this.socket.ref();
    else this.socket.unref();
  }

  private onData(chunk: Buffer): void {
    this.decoder.push(chunk);
    try {
      for (const payload of this.decoder.frames()) this.route(decodeReply(payload));
    } catch (err) {
      // Nothing after a bad frame can be trusted: the connection is over.
      const error = err instanceof FrameTooLargeError
        ? new FrameTooLarge(`reply too large: ${err.message}`)
        : err instanceof StickerdError ? err : new ProtocolError(`unparsable reply: ${(err as Error).message}`);
      this.failAll(error);
      this.socket.destroy();
    }
  }

  private route(reply: ReplyObject): void {
    if (reply.id === 0) {
      // A connection-level error (frame too large, unparsable frame): the
      // daemon closes next, so every pending request fails with it.
      this.failAll(reply.error ? fromError(reply.error) : new ProtocolError('reply with id 0 that is not an error'));
      return;
    }
    this.handlers.get(reply.id)?.(reply);
  }

  private failAll(error: StickerdError): void {
    if (!this.closedWith) this.closedWith = error;
    const handlers = [...this.handlers];
    this.handlers.clear();
    for (const [id, handler] of handlers) handler(forRequest(error, id));
  }
}
