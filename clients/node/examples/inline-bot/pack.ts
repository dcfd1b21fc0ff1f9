// /pack TEXT: the text in every animated style as Telegram video stickers
// (WEBM: VP9 with alpha), gathered in a new sticker set of the user's.
//
// Why a set: a WEBM shows as a sticker only once it is in a sticker set, so
// inline answers keep using TGS and WebP (sent once to get a file id), and
// video stickers go through createNewStickerSet / addStickerToSet, format
// "video".
import { createHash } from 'node:crypto';

import { InputFile, type Api } from 'grammy';
import type { InputSticker } from 'grammy/types';

import type { Client } from '../../src';

export interface PackResult {
  name: string; // the set's name: https://t.me/addstickers/<name>
  added: number; // video stickers in the set
  failed: number; // styles stickerd could not render (logged)
}

// Telegram's rules for a set name: letters, digits and underscores, starting
// with a letter, ending in "_by_<bot username>", at most 64 characters. One
// set per user and text, so asking again names the same set.
export function packName(userId: number, text: string, botUsername: string): string {
  const hash = createHash('sha256').update(`${userId}\n${text}`).digest('hex').slice(0, 16);
  return `t${hash}_by_${botUsername}`.slice(0, 64);
}

// A set's title is at most 64 characters; cut on code points, not halves of one.
export function packTitle(text: string): string {
  const points = Array.from(text);
  return points.length <= 62 ? `«${text}»` : `«${points.slice(0, 60).join('')}…»`;
}

export async function makePack(api: Api, stickerd: Client, userId: number, text: string,
  botUsername: string, log: (m: string) => void): Promise<PackResult> {
  const styles = (await stickerd.styles()).styles.filter((s) => s.formats.includes('FORMAT_WEBM'));
  if (styles.length === 0) throw new Error('the style catalogue has no animated style');
  const result: PackResult = { name: packName(userId, text, botUsername), added: 0, failed: 0 };
  const batch = stickerd.batch(text, {
    styleIds: styles.map((s) => s.id),
    format: 'FORMAT_WEBM',
    profile: 'PROFILE_TELEGRAM', // 512 px, <= 3 s, <= 30 fps, <= 256 KB: what a set takes
    timeoutMs: 120_000,
  });
  // Added in the order they complete. The first creates the set (which needs
  // at least one sticker); each later one is added to it.
  for await (const item of batch) {
    if (!item.sticker) {
      result.failed++;
      log(`/pack: style ${item.styleId}: ${item.error}`);
      continue;
    }
    const sticker: InputSticker = {
      sticker: new InputFile(item.sticker.data, `${item.styleId}.webm`),
      format: 'video',
      emoji_list: ['✍'],
    };
    if (result.added === 0) await api.createNewStickerSet(userId, result.name, packTitle(text), [sticker]);
    else await api.addStickerToSet(userId, result.name, sticker);
    result.added++;
  }
  if (result.added === 0) throw new Error(`no style rendered ${JSON.stringify(text)} as a video sticker`);
  return result;
}
