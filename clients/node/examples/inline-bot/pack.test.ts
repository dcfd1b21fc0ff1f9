// /pack TEXT end to end: real stickerd (two animated styles and a still
// one, one worker), the bot as its own process (main.js), and the fake Bot
// API, which checks every sticker it is given is a video sticker.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';

import { Daemon, SKIP } from '../../test/daemon';
import { BotProcess } from './botProcess';
import { FakeBotApi } from './fakeBotApi';
import { packName, packTitle } from './pack';

const TIMEOUT_MS = 60_000;
const SOURCE_STYLES = path.join(__dirname, '..', '..', '..', '..', '..', 'styles');
const ANIMATED = ['bounce', 'neon'];

let daemon: Daemon;
let api: FakeBotApi;
let bot: BotProcess;
let stylesDir: string | undefined;

before(async () => {
  if (SKIP) return;
  stylesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stickerd-pack-styles-'));
  for (const name of ['fonts', 'classic', ...ANIMATED])
    fs.copyFileSync(path.join(SOURCE_STYLES, `${name}.json`), path.join(stylesDir, `${name}.json`));
  daemon = await new Daemon(1, undefined, undefined, ['--styles', stylesDir]).start();
  api = new FakeBotApi();
  const apiRoot = await api.listen();
  bot = await BotProcess.start(api, { BOT_API_ROOT: apiRoot, STICKERD_SOCKET: daemon.socket }, TIMEOUT_MS);
});

after(async () => {
  await bot?.stop();
  await api?.close();
  await daemon?.close();
  if (stylesDir) fs.rmSync(stylesDir, { recursive: true, force: true });
});

test('set names and titles follow Telegram rules', () => {
  const name = packName(42, 'Привет 🎉', 'test_bot');
  assert.match(name, /^[A-Za-z][A-Za-z0-9_]*_by_test_bot$/);
  assert.ok(name.length <= 64);
  assert.equal(packName(42, 'Привет 🎉', 'test_bot'), name, 'the same user and text name the same set');
  assert.notEqual(packName(43, 'Привет 🎉', 'test_bot'), name);
  assert.equal(packTitle('Hi'), '«Hi»');
  const long = packTitle('🎉'.repeat(100));
  assert.ok(Array.from(long).length <= 64);
  assert.ok(!long.includes('\ufffd') && long.endsWith('🎉…»'), 'cut between code points');
});

test('/pack TEXT makes a sticker set of video stickers, one per animated style', { skip: SKIP }, async () => {
  api.pushMessage('/pack Hello pack');
  await api.waitUntil(() => api.callsOf('sendMessage').length > 0, TIMEOUT_MS, () => `the /pack reply\n${bot.log}`);

  const created = api.callsOf('createNewStickerSet');
  const added = api.callsOf('addStickerToSet');
  assert.equal(created.length, 1, bot.log);
  assert.equal(added.length, ANIMATED.length - 1, 'the others are added to the set');
  const name = packName(42, 'Hello pack', 'test_bot');
  assert.equal(created[0].body.name, name);
  assert.equal(created[0].body.user_id, '42');
  assert.equal(created[0].body.title, '«Hello pack»');
  assert.deepEqual([...api.stickerSets], [[name, ANIMATED.length]]);
  assert.deepEqual(api.problems, [], 'every sticker a valid video sticker (WebM, VP9, alpha, <= 256 KB)');
  // The still style has no WEBM, so it is not asked for at all.
  assert.doesNotMatch(bot.log, /classic/);

  const reply = api.callsOf('sendMessage')[0].body;
  assert.equal(String(reply.chat_id), '42');
  assert.equal(reply.text, `${ANIMATED.length} video stickers: https://t.me/addstickers/${name}`);
  // Inline answers are untouched: no sticker was sent to the storage chat.
  assert.equal(api.callsOf('sendSticker').length, 0);
});

test('/pack answers with the reason when Telegram refuses the set', { skip: SKIP }, async () => {
  const before = api.callsOf('sendMessage').length;
  api.failNext('createNewStickerSet', 1, 400);
  api.pushMessage('/pack refused');
  await api.waitUntil(() => api.callsOf('sendMessage').length > before, TIMEOUT_MS, () => `the refusal\n${bot.log}`);
  assert.match(String(api.callsOf('sendMessage')[before].body.text), /^Sorry, the sticker set could not be made: .*injected 400/);
  assert.equal(api.callsOf('addStickerToSet').length, ANIMATED.length - 1, 'nothing added to a set that failed');
});

test('/pack without a text answers with its usage', { skip: SKIP }, async () => {
  const before = api.callsOf('sendMessage').length;
  api.pushMessage('/pack');
  await api.waitUntil(() => api.callsOf('sendMessage').length > before, TIMEOUT_MS, () => `the usage\n${bot.log}`);
  assert.equal(api.callsOf('sendMessage')[before].body.text, 'Usage: /pack TEXT');
  assert.equal(api.callsOf('createNewStickerSet').length, 2, 'no set made (one made, one refused, before)');
});
