// One text in every style: cached file ids at once, the rest rendered as one
// stickerd batch and uploaded as each sticker completes. Inline-query pages
// read `ready` (append-only, so an offset into it stays valid) and wait for
// more with waitFor().
import type { BatchItem, Client, StyleInfo } from '../../src';
import { FileIdCache } from './fileIdCache';

export interface ReadySticker {
  styleId: string;
  configId: string;
  fileId: string;
}

// Uploads a sticker file and returns its Telegram file_id.
export type Uploader = (data: Buffer, styleId: string) => Promise<string>;

export class StickerJob {
  readonly ready: ReadySticker[] = [];
  done = false;
  failures = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly text: string, private readonly styles: StyleInfo[], private readonly cache: FileIdCache,
    private readonly upload: Uploader, private readonly stickerd: Client, private readonly log: (m: string) => void) {}

  // Starts the work; resolves when every style is ready or failed.
  async run(): Promise<void> {
    const missing: StyleInfo[] = [];
    for (const style of this.styles) {
      const fileId = this.cache.get(this.text, style.configId);
      if (fileId) this.add({ styleId: style.id, configId: style.configId, fileId });
      else missing.push(style);
    }
    try {
      if (missing.length > 0) await this.render(missing);
    } catch (err) {
      this.log(`batch for ${JSON.stringify(this.text)} failed: ${err}`);
    } finally {
      this.done = true;
      this.wake();
    }
  }

  // Resolves once at least `count` stickers are ready, or the job is done.
  waitFor(count: number): Promise<void> {
    if (this.done || this.ready.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.done || this.ready.length >= count) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private async render(missing: StyleInfo[]): Promise<void> {
    const uploads: Promise<void>[] = [];
    const batch = this.stickerd.batch(this.text, { styleIds: missing.map((s) => s.id), timeoutMs: 60_000 });
    for await (const item of batch) uploads.push(this.uploadItem(item, missing[item.index]));
    await Promise.all(uploads);
  }

  // Uploads run concurrently with the rest of the batch: the first answer
  // should not wait for the slowest style.
  private async uploadItem(item: BatchItem, style: StyleInfo): Promise<void> {
    if (!item.sticker) {
      this.failures++;
      this.log(`style ${item.styleId}: ${item.error}`);
      return;
    }
    try {
      const fileId = await this.upload(item.sticker.data, style.id);
      this.cache.set(this.text, style.configId, fileId);
      this.add({ styleId: style.id, configId: style.configId, fileId });
    } catch (err) {
      this.failures++;
      this.log(`upload of ${style.id} failed: ${err}`);
    }
  }

  private add(sticker: ReadySticker): void {
    this.ready.push(sticker);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
