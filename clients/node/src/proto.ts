// The client API schema, loaded at run time from stickerd.proto with
// protobufjs (no generated code to keep in sync). The build copies
// proto/stickerd.proto to dist/proto/; STICKERD_PROTO overrides the path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

function protoPath(): string {
  const candidates = [
    process.env.STICKERD_PROTO,
    path.join(__dirname, '..', 'proto', 'stickerd.proto'), // dist/proto (built package)
    path.join(__dirname, '..', '..', '..', '..', 'proto', 'stickerd.proto'), // source tree
  ];
  for (const candidate of candidates) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  throw new Error('stickerd.proto not found: run `npm run build` or set STICKERD_PROTO');
}

export const root = protobuf.loadSync(protoPath());
export const Request = root.lookupType('stickerd.v1.Request');
export const Reply = root.lookupType('stickerd.v1.Reply');
export const ErrorCode = root.lookupEnum('stickerd.v1.ErrorCode').values;
export const Format = root.lookupEnum('stickerd.v1.Format').values;
export const Profile = root.lookupEnum('stickerd.v1.Profile').values;
export const Priority = root.lookupEnum('stickerd.v1.Priority').values;

// Plain-object views of the reply messages (toObject with enums as names,
// 64-bit integers as numbers, every field present).
export type FormatName = 'FORMAT_UNSPECIFIED' | 'FORMAT_WEBP' | 'FORMAT_WEBP_ANIMATED' | 'FORMAT_TGS' | 'FORMAT_PNG' | 'FORMAT_WEBM';
export type ProfileName = 'PROFILE_UNSPECIFIED' | 'PROFILE_TELEGRAM' | 'PROFILE_WHATSAPP' | 'PROFILE_NONE' | 'PROFILE_TELEGRAM_EMOJI';
export type PriorityName = 'PRIORITY_UNSPECIFIED' | 'PRIORITY_INTERACTIVE' | 'PRIORITY_BATCH' | 'PRIORITY_BACKGROUND';

export interface Sticker {
  data: Buffer;
  format: FormatName;
  profile: ProfileName;
  styleId: string;
  mimeType: string;
  width: number;
  height: number;
  frameCount: number;
  durationMs: number;
  renderUs: number;
  quality: number;
  workerSlot: number;
}

export interface Stats {
  totalWorkers: number;
  busyWorkers: number;
  idleWorkers: number;
  queueSize: number;
  tasksCompleted: number;
  tasksFailed: number;
  restarts: number;
  uptimeSeconds: number;
  readyWorkers: number;
  queueCapacity: number;
  rejectedQueueFull: number;
  connections: number;
  retries: number;
}

export interface StyleInfo {
  id: string;
  name: string;
  tags: string[];
  formats: FormatName[];
  configId: string;
  animated: boolean;
}

export interface StyleList {
  styles: StyleInfo[];
  defaultStyle: string;
}

export interface BatchDone {
  count: number;
  succeeded: number;
}

export interface WireError {
  code: string;
  message: string;
}

export interface ReplyObject {
  id: number;
  body?: 'sticker' | 'error' | 'stats' | 'batchItem' | 'batchDone' | 'styles' | 'cancel';
  sticker?: Sticker;
  error?: WireError;
  stats?: Stats;
  batchItem?: { index: number; styleId: string; result?: 'sticker' | 'error'; sticker?: Sticker; error?: WireError };
  batchDone?: BatchDone;
  styles?: StyleList;
  cancel?: { found: boolean };
}

export function encodeRequest(request: Record<string, unknown>): Uint8Array {
  return Request.encode(Request.fromObject(request)).finish();
}

export function decodeReply(payload: Uint8Array): ReplyObject {
  const message = Reply.decode(payload);
  return Reply.toObject(message, {
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  }) as ReplyObject;
}
