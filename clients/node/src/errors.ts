// Typed errors: one class per stickerd ErrorCode, all extending StickerdError.
// `retryable` says whether sending the same request again can help, so callers
// need no table of codes. Client-side failures (lost connection, timeout,
// protocol violation) are StickerdErrors too, with `code` undefined.
import { ErrorCode, WireError } from './proto';

export class StickerdError extends Error {
  readonly code?: number;
  readonly codeName?: string;
  readonly retryable: boolean = false;
  // Set when the client gave up on the request (abort, timeout): resolves to
  // the daemon's CancelReply.found, i.e. whether it was still pending there.
  cancelAck?: Promise<boolean>;

  constructor(message: string, readonly requestId?: number, codeName?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    if (codeName !== undefined) {
      this.codeName = codeName;
      this.code = ErrorCode[codeName];
    }
  }
}

// Classes for the daemon's codes take the code from their name.
function coded(codeName: string, retryable = false) {
  return class extends StickerdError {
    override readonly retryable = retryable;
    constructor(message: string, requestId?: number, options?: { cause?: unknown }) {
      super(message, requestId, codeName, options);
    }
  };
}

export class InvalidArgument extends coded('INVALID_ARGUMENT') {}
export class UnknownStyle extends coded('UNKNOWN_STYLE') {}
export class TextTooLong extends coded('TEXT_TOO_LONG') {}
export class QueueFull extends coded('QUEUE_FULL', true) {} // retry with backoff
export class DeadlineExceeded extends coded('DEADLINE_EXCEEDED', true) {}
export class WorkerCrashed extends coded('WORKER_CRASHED', true) {} // once
export class Poisoned extends coded('POISONED') {}
export class Cancelled extends coded('CANCELLED') {}
export class ShuttingDown extends coded('SHUTTING_DOWN', true) {} // another instance / later
export class FrameTooLarge extends coded('FRAME_TOO_LARGE') {}
export class PermissionDenied extends coded('PERMISSION_DENIED') {}
export class InternalError extends coded('INTERNAL') {}
// No font in the daemon's font set draws some character (it would be a box);
// the message names the first few code points. Don't retry as is.
export class UnsupportedText extends coded('UNSUPPORTED_TEXT') {}
// The daemon refused the connection (too many in all, or from this uid) or
// closed it after --idle-timeout-ms with nothing in flight. It arrives as an
// id-0 error, so every request pending on that connection gets it.
export class ConnectionLimit extends coded('CONNECTION_LIMIT', true) {} // later, with backoff

// The connection closed before the final reply. Renders are idempotent, so
// the client re-sends them once on a new connection by itself.
export class ConnectionLost extends StickerdError {
  override readonly retryable = true;
}
// The per-call timeout passed; the request was cancelled at the daemon.
export class RequestTimeout extends StickerdError {
  override readonly retryable = true;
}
export class ProtocolError extends StickerdError {}

const byName: Record<string, new (message: string, requestId?: number) => StickerdError> = {
  INVALID_ARGUMENT: InvalidArgument,
  UNKNOWN_STYLE: UnknownStyle,
  TEXT_TOO_LONG: TextTooLong,
  QUEUE_FULL: QueueFull,
  DEADLINE_EXCEEDED: DeadlineExceeded,
  WORKER_CRASHED: WorkerCrashed,
  POISONED: Poisoned,
  CANCELLED: Cancelled,
  SHUTTING_DOWN: ShuttingDown,
  FRAME_TOO_LARGE: FrameTooLarge,
  PERMISSION_DENIED: PermissionDenied,
  INTERNAL: InternalError,
  UNSUPPORTED_TEXT: UnsupportedText,
  CONNECTION_LIMIT: ConnectionLimit,
};

// The typed error for a wire Error (code as its enum name, or a number from
// a newer daemon that this client does not know).
export function fromError(error: WireError, requestId?: number): StickerdError {
  const cls = byName[error.code];
  if (cls) return new cls(error.message, requestId);
  const unknown = new StickerdError(`${error.code}: ${error.message}`, requestId);
  (unknown as { code?: number }).code = Number(error.code);
  return unknown;
}

// The same error for another request (a connection failure fails them all).
export function forRequest(error: StickerdError, requestId: number): StickerdError {
  const copy = Object.create(Object.getPrototypeOf(error)) as StickerdError;
  Object.assign(copy, error, { requestId, message: error.message, stack: error.stack });
  return copy;
}
