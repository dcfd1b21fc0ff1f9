// The stickerd frame codec: uint32 little-endian length, then one protobuf
// message (docs/PROTOCOL.md, common/frame.h). Pure byte handling, no I/O.

export const HEADER_BYTES = 4;
// The daemon's default maximum (common/frame.h kDefaultMaxFrameBytes).
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export class FrameTooLargeError extends Error {
  constructor(readonly announced: number, readonly maximum: number) {
    super(`frame of ${announced} bytes announced, maximum is ${maximum}`);
    this.name = 'FrameTooLargeError';
  }
}

export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

// Incremental decoder: push() chunks split anywhere, then drain frames().
// A frame over the maximum poisons the decoder: nothing after it is trusted,
// and the oversized payload is never buffered.
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private size = 0;
  private poisoned: FrameTooLargeError | null = null;

  constructor(readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  push(chunk: Uint8Array): void {
    if (this.poisoned) return;
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.size += chunk.byteLength;
  }

  // The payloads of every complete frame buffered so far.
  *frames(): Generator<Buffer> {
    if (this.poisoned) throw this.poisoned;
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    let offset = 0;
    try {
      while (buf.length - offset >= HEADER_BYTES) {
        const length = buf.readUInt32LE(offset);
        if (length > this.maxFrameBytes) {
          this.poisoned = new FrameTooLargeError(length, this.maxFrameBytes);
          buf = Buffer.alloc(0);
          offset = 0;
          throw this.poisoned;
        }
        if (buf.length - offset - HEADER_BYTES < length) break;
        const start = offset + HEADER_BYTES;
        offset = start + length;
        yield buf.subarray(start, offset);
      }
    } finally {
      const rest = buf.subarray(offset);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
    }
  }

  // Bytes held but not yet returned: non-zero at EOF means a cut-off frame.
  get buffered(): number {
    return this.size;
  }
}
