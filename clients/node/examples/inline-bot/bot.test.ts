// The inline bot end to end: real stickerd (six styles, one worker), the bot
// as its own process (main.js, configured by environment), and a fake Bot API.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';

import { Client } from '../../src';
import { Daemon, SKIP } from '../../test/daemon';
import { BotProcess } from './botProcess';
import { FakeBotApi, RecordedCall } from './fakeBotApi';

const STYLE_COUNT = 6;
const PAGE_SIZE = 2;
const TIMEOUT_MS = 60_000;
const SOURCE_STYLES = path.join(__dirname, '..', '..', '..', '..', '..', 'styles');

// Six variants of the built-in classic style (distinct ids, so distinct
// config_ids), so one text makes a batch of six.
function writeStyles(dir: string): void {
  const classic = JSON.parse(fs.readFileSync(path.join(SOURCE_STYLES, 'classic.json'), 'utf8'));
  fs.mkdirSync(dir, { recursive: true });
  // A styles directory declares its font set too: workers draw with no other fonts.
  fs.copyFileSync(path.join(SOURCE_STYLES, 'fonts.json'), path.join(dir, 'fonts.json'));
  for (let n = 1; n <= STYLE_COUNT; n++) {
    const style = { ...classic, id: `variant${n}`, name: `Variant ${n}`, padding: (classic.padding ?? 20) + n };
    fs.writeFileSync(path.join(dir, `variant${n}.json`), JSON.stringify(style, null, 2));
  }
}

interface Answer {
  results: Array<{ type: string; id: string; sticker_file_id: string }>;
  next_offset: string;
}

function answerOf(call: RecordedCall): Answer {
  const body = call.body as Record<string, unknown>;
  const results = typeof body.results === 'string' ? JSON.parse(body.results) : body.results;
  return { results: results as Answer['results'], next_offset: String(body.next_offset ?? '') };
}

let daemon: Daemon;
let api: FakeBotApi;
let bot: BotProcess;
let stickerd: Client;
let stylesDir: string | undefined;

before(async () => {
  if (SKIP) return;
  stylesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stickerd-bot-styles-'));
  writeStyles(stylesDir);
  daemon = await new Daemon(1, undefined, undefined, ['--styles', stylesDir]).start();
  stickerd = new Client({ socketPath: daemon.socket, timeoutMs: TIMEOUT_MS });
  api = new FakeBotApi();
  const apiRoot = await api.listen();
  // A bot that cannot start logs why and exits 1: start() fails at once, with its log.
  bot = await BotProcess.start(api, { BOT_API_ROOT: apiRoot, STICKERD_SOCKET: daemon.socket,
    PAGE_SIZE: String(PAGE_SIZE) }, TIMEOUT_MS);
});

after(async () => {
  await bot?.stop();
  await api?.close();
  stickerd?.close();
  await daemon?.close();
  if (stylesDir) fs.rmSync(stylesDir, { recursive: true, force: true });
});

// Sends the query and follows next_offset to the end; returns every answer.
async function scroll(queryId: string, text: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  let offset = '';
  for (let page = 0; page < 20; page++) {
    const before = api.callsOf('answerInlineQuery').length;
    api.pushInlineQuery(`${queryId}-${page}`, text, offset);
    await api.waitUntil(() => api.callsOf('answerInlineQuery').length > before, TIMEOUT_MS,
      () => `answer to page ${page}\n${bot.log}`);
    const answer = answerOf(api.callsOf('answerInlineQuery')[before]);
    answers.push(answer);
    if (!answer.next_offset) return answers;
    offset = answer.next_offset;
  }
  throw new Error('the bot never ended the pages');
}

test('inline query: early first answer, pages, then cached file ids', { skip: SKIP }, async () => {
  const answers = await scroll('q1', 'hello bot');

  // The first answer came before the batch finished: before the last upload.
  const first = api.calls.findIndex((c) => c.method === 'answerInlineQuery');
  const uploads = api.calls.map((c, i) => (c.method === 'sendSticker' ? i : -1)).filter((i) => i >= 0);
  assert.equal(uploads.length, STYLE_COUNT, `one upload per style\n${bot.log}`);
  assert.ok(first < uploads[uploads.length - 1], 'the first answer waited for the whole batch');
  assert.ok(answers[0].results.length >= 1 && answers[0].next_offset !== '');
  assert.ok(answers.length >= STYLE_COUNT / PAGE_SIZE, `expected later pages, got ${answers.length}`);
  assert.deepEqual(api.problems, [], 'uploads must be valid WebP files');

  const shown = answers.flatMap((a) => a.results);
  assert.equal(shown.length, STYLE_COUNT, 'every style exactly once across the pages');
  assert.equal(new Set(shown.map((r) => r.id)).size, STYLE_COUNT);
  assert.ok(shown.every((r) => r.type === 'sticker' && /^FILE\d+$/.test(r.sticker_file_id)));

  // Same text again: every file id from the cache, nothing rendered or uploaded.
  const completed = (await stickerd.stats()).tasksCompleted;
  const again = (await scroll('q2', 'hello bot')).flatMap((a) => a.results);
  assert.deepEqual(new Set(again.map((r) => r.sticker_file_id)), new Set(shown.map((r) => r.sticker_file_id)));
  assert.equal(api.callsOf('sendSticker').length, STYLE_COUNT, 'no second upload');
  assert.equal((await stickerd.stats()).tasksCompleted, completed, 'no second render');
});
