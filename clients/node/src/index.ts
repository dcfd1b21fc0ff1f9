// stickerd-client: Node.js client for the stickerd sticker-rendering daemon.
// The wire protocol is documented in docs/PROTOCOL.md.
export { Client } from './client';
export type { CallOptions, ClientOptions, RenderOptions } from './client';
export { BatchStream } from './batch';
export type { BatchItem, BatchOptions } from './batch';
export * from './errors';
export { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameTooLargeError, encodeFrame } from './framing';
export type { BatchDone, Stats, Sticker, StyleInfo, StyleList } from './proto';
export { ErrorCode, Format, Priority, Profile, decodeReply, encodeRequest } from './proto';
export { defaultSocketPath } from './socketPath';
