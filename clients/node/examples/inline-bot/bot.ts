// The inline flow: "@bot some text" shows the text in every style.
//
// First page: answered as soon as the first sticker is uploaded; Telegram
// asks for more with the next_offset we gave, and each later page waits for
// at least one more sticker (or the end). Jobs are shared per text, so pages
// and concurrent users typing the same text join one batch.
//
// /pack TEXT (pack.ts) makes a sticker set of video stickers (WEBM) instead.
import { Bot, InputFile } from 'grammy';
import type { InlineQueryResultCachedSticker } from 'grammy/types';

import type { Client, StyleInfo } from '../../src';
import { FileIdCache } from './fileIdCache';
import { makePack } from './pack';
import { StickerJob } from './stickerJob';

export interface InlineBotOptions {
  token: string;
  apiRoot?: string; // Bot API base URL (default https://api.telegram.org)
  stickerd: Client;
  storageChatId: number | string; // where stickers are sent once to get a file_id
  pageSize?: number; // results per answer (Telegram allows up to 50)
  jobTtlMs?: number; // how long a finished job serves later pages if nobody reads to the end
  log?: (message: string) => void;
}

export function createInlineBot(options: InlineBotOptions): Bot {
  const bot = new Bot(options.token, { client: options.apiRoot ? { apiRoot: options.apiRoot } : {} });
  const pageSize = options.pageSize ?? 20;
  const log = options.log ?? ((m: string) => console.error(m));
  const cache = new FileIdCache();
  const jobs = new Map<string, StickerJob>();

  const upload = async (data: Buffer, styleId: string): Promise<string> => {
    const message = await bot.api.sendSticker(options.storageChatId, new InputFile(data, `${styleId}.webp`));
    if (!message.sticker) throw new Error('sendSticker returned no sticker');
    return message.sticker.file_id;
  };

  const jobFor = (text: string, styles: StyleInfo[]): StickerJob => {
    let job = jobs.get(text);
    if (!job) {
      const created = new StickerJob(text, styles, cache, upload, options.stickerd, log);
      jobs.set(text, created);
      void created.run().then(() => {
        // Keep the finished job for later pages, then rebuild from the cache.
        setTimeout(() => jobs.get(text) === created && jobs.delete(text), options.jobTtlMs ?? 60_000).unref();
      });
      job = created;
    }
    return job;
  };

  bot.on('inline_query', async (ctx) => {
    const text = ctx.inlineQuery.query.trim();
    if (!text) return ctx.answerInlineQuery([], { cache_time: 0 });
    const start = Number.parseInt(ctx.inlineQuery.offset || '0', 10) || 0;
    const styles = (await options.stickerd.styles()).styles;
    const job = jobFor(text, styles);
    await job.waitFor(start + 1);
    const page = job.ready.slice(start, start + pageSize);
    const end = start + page.length;
    const more = !job.done || end < job.ready.length;
    const results: InlineQueryResultCachedSticker[] = page.map((s) => ({
      type: 'sticker',
      id: `${s.styleId}:${s.configId}`.slice(0, 64),
      sticker_file_id: s.fileId,
    }));
    // The last page was served: later queries for this text start a new job,
    // which finds every style in the file-id cache and renders nothing.
    if (!more && jobs.get(text) === job) jobs.delete(text);
    await ctx.answerInlineQuery(results, {
      next_offset: more ? String(end) : '',
      // Not personal, but pages change while the batch runs: keep Telegram's
      // own cache short until the whole set is ready.
      cache_time: more ? 0 : 300,
    });
  });

  // /pack TEXT: a sticker set of video stickers (pack.ts says why a set).
  // Not awaited: grammY handles updates one at a time, and a pack takes
  // seconds that inline queries must not wait for.
  bot.command('pack', (ctx) => {
    const text = ctx.match.trim();
    const from = ctx.from;
    if (!text || !from) return ctx.reply('Usage: /pack TEXT');
    void (async () => {
      try {
        const pack = await makePack(bot.api, options.stickerd, from.id, text, ctx.me.username, log);
        await ctx.reply(`${pack.added} video stickers: https://t.me/addstickers/${pack.name}`);
      } catch (err) {
        log(`/pack ${JSON.stringify(text)} failed: ${err}`);
        await ctx.reply(`Sorry, the sticker set could not be made: ${err instanceof Error ? err.message : err}`)
          .catch((e) => log(`/pack reply failed: ${e}`));
      }
    })();
  });

  bot.catch((err) => log(`update ${err.ctx.update.update_id} failed: ${err.error}`));
  return bot;
}
