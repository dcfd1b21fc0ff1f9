// A fake Telegram Bot API on loopback, for the bot's test. It serves
// getUpdates from a queue the test fills (long polling: a call waits until an
// update is queued), records every call, and answers sendSticker with a
// message carrying a fresh file_id after checking the upload is a WebP;
// createNewStickerSet and addStickerToSet check each sticker is a video
// sticker (format "video", a WebM with VP9 and alpha, <= 256 KB) and record
// the sets.
// failNext() makes the next calls of a method fail, as a Bot API error answer
// or as a dropped connection, for the start-up tests.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  files: Record<string, Buffer>;
  at: number;
}

export class FakeBotApi {
  readonly calls: RecordedCall[] = [];
  readonly problems: string[] = []; // anything the bot did wrong
  readonly stickerSets = new Map<string, number>(); // name -> stickers in it
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private updates: unknown[] = [];
  private nextUpdateId = 1;
  private pollers: Array<() => void> = [];
  private fileCounter = 0;
  private changed: Array<() => void> = [];
  private failures = new Map<string, Array<number | 'drop'>>();
  private closed = false;

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.changed.splice(0)) c(); // pending waitUntil() calls end now
    for (const p of this.pollers) p();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  pushInlineQuery(id: string, query: string, offset: string): void {
    this.push({ inline_query: { id, from: { id: 42, is_bot: false, first_name: 'Tester' }, query, offset } });
  }

  // A private message from user 42; a leading /command is marked as one.
  pushMessage(text: string): void {
    const command = /^\/\w+/.exec(text);
    this.push({
      message: {
        message_id: this.nextUpdateId, date: 0, chat: { id: 42, type: 'private' },
        from: { id: 42, is_bot: false, first_name: 'Tester' }, text,
        entities: command ? [{ type: 'bot_command', offset: 0, length: command[0].length }] : [],
      },
    });
  }

  private push(update: Record<string, unknown>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    const pollers = this.pollers;
    this.pollers = [];
    for (const p of pollers) p();
  }

  // The next `count` calls of `method` fail: `how` is an HTTP/Bot API error
  // code, or 'drop' to close the connection without an answer.
  failNext(method: string, count: number, how: number | 'drop'): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array<number | 'drop'>(count).fill(how)]);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  // Resolves when `predicate` holds, re-checking after every recorded call.
  // `what` names the wait in the timeout error (a function: evaluated then,
  // so it can include a log collected meanwhile).
  async waitUntil(predicate: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.closed) throw new Error(`closed while waiting for ${typeof what === 'function' ? what() : what}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        const name = typeof what === 'function' ? what() : what;
        throw new Error(`timed out waiting for ${name}; calls: ${this.calls.map((c) => c.method)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.changed.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.url ?? '').split('/').pop() ?? '';
    const raw = await readBody(req);
    const { body, files } = parseRequest(req.headers['content-type'] ?? '', raw);
    this.calls.push({ method, body, files, at: Date.now() });
    for (const c of this.changed.splice(0)) c();
    const reply = (result: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result }));
    };
    const failure = this.failures.get(method)?.shift();
    if (failure === 'drop') return void req.socket.destroy();
    if (failure !== undefined) {
      res.writeHead(failure, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ ok: false, error_code: failure, description: `injected ${failure}` }));
    }
    switch (method) {
      case 'getMe':
        return reply({ id: 1, is_bot: true, first_name: 'Test', username: 'test_bot', supports_inline_queries: true });
      case 'getUpdates': {
        const offset = Number(body.offset ?? 0);
        this.updates = this.updates.filter((u) => (u as { update_id: number }).update_id >= offset);
        if (this.updates.length === 0) {
          // Long poll, but short: the bot's stop() waits for the pending call.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 1000);
            this.pollers.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        return reply(this.updates);
      }
      case 'sendSticker': {
        // The file is either the `sticker` part itself or, as grammY sends it,
        // a part named by an "attach://<name>" reference in the field.
        const ref = typeof body.sticker === 'string' && body.sticker.startsWith('attach://')
          ? body.sticker.slice('attach://'.length) : 'sticker';
        const file = files[ref];
        const problem = file ? checkWebp(file) : 'no sticker file uploaded';
        if (problem) this.problems.push(`sendSticker: ${problem}`);
        const n = ++this.fileCounter;
        return reply({
          message_id: n, date: 0, chat: { id: Number(body.chat_id), type: 'private' },
          sticker: { file_id: `FILE${n}`, file_unique_id: `U${n}`, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false },
        });
      }
      case 'createNewStickerSet':
      case 'addStickerToSet': {
        const name = String(body.name ?? '');
        const raw = method === 'createNewStickerSet' ? body.stickers : body.sticker;
        const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
        const stickers = (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>;
        if (!/^[A-Za-z][A-Za-z0-9_]*_by_test_bot$/.test(name) || name.length > 64) this.problems.push(`${method}: bad set name ${name}`);
        if (method === 'createNewStickerSet' && this.stickerSets.has(name)) this.problems.push(`${method}: ${name} exists`);
        if (method === 'addStickerToSet' && !this.stickerSets.has(name)) this.problems.push(`${method}: no set ${name}`);
        for (const s of stickers) {
          const ref = String(s?.sticker ?? '').replace(/^attach:\/\//, '');
          const file = files[ref];
          const problem = s?.format !== 'video' ? `format ${s?.format}, not video` : file ? checkWebm(file) : 'no sticker file uploaded';
          if (problem) this.problems.push(`${method}: ${problem}`);
        }
        this.stickerSets.set(name, (this.stickerSets.get(name) ?? 0) + stickers.length);
        return reply(true);
      }
      default:
        return reply(true); // deleteWebhook, answerInlineQuery, sendMessage, ...
    }
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// JSON, or multipart/form-data (how grammY sends files): fields as strings,
// parts with a filename as files.
function parseRequest(contentType: string, raw: Buffer): { body: Record<string, unknown>; files: Record<string, Buffer> } {
  const body: Record<string, unknown> = {};
  const files: Record<string, Buffer> = {};
  if (contentType.startsWith('application/json')) return { body: raw.length ? JSON.parse(raw.toString()) : {}, files };
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return { body, files };
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let pos = raw.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length + 2; // skip CRLF
    const next = raw.indexOf(delimiter, start);
    if (next === -1) break;
    const part = raw.subarray(start, next - 2); // drop the CRLF before the delimiter
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString();
    const content = part.subarray(split + 4);
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    if (name && /filename=/.test(headers)) files[name] = Buffer.from(content);
    else if (name) body[name] = content.toString();
    pos = next;
  }
  return { body, files };
}

// A Telegram video sticker's container, without decoding: EBML with DocType
// webm, a VP9 track with AlphaMode (element 0x53C0), within 256 KB.
function checkWebm(data: Buffer): string | null {
  if (data.length > 256 * 1024) return `${data.length} bytes is over 256 KB`;
  if (data.readUInt32BE(0) !== 0x1a45dfa3) return 'not EBML';
  if (!data.includes('webm')) return 'no webm DocType';
  if (!data.includes('V_VP9')) return 'not VP9';
  if (!data.includes(Buffer.from([0x53, 0xc0, 0x81, 0x01]))) return 'no AlphaMode 1';
  return null;
}

function checkWebp(data: Buffer): string | null {
  if (data.length < 30) return `${data.length} bytes is too short for WebP`;
  if (data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WEBP') return 'not RIFF/WEBP';
  if (data.readUInt32LE(4) + 8 !== data.length) return 'RIFF size does not match the upload';
  return null;
}
