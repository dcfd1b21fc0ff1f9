// The bot's start-up: the retry policy from memory, then main.js against the
// fake Bot API with failing getMe calls. A bot that cannot start says why and
// exits non-zero; one that recovers polls. No daemon needed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';

import { GrammyError, HttpError } from 'grammy';

import { FakeBotApi } from './fakeBotApi';
import { afterFailure, describeError, StartupPolicy } from './startup';

const TOKEN = '123:SECRET';
const policy: StartupPolicy = { attempts: 4, firstDelayMs: 100, maxDelayMs: 250 };
const network = new HttpError("Network request for 'getMe' failed!", new Error('socket hang up'));
const answer = (code: number, parameters = {}) =>
  new GrammyError('Call to getMe failed!', { ok: false, error_code: code, description: 'x', parameters }, 'getMe', {});

describe('start-up policy', () => {
  test('network errors and 5xx answers are retried with a doubling, capped delay', () => {
    assert.deepEqual([1, 2, 3].map((n) => afterFailure(policy, n, network)).map((d) => d.retry && d.delayMs), [100, 200, 250]);
    assert.equal(afterFailure(policy, 1, answer(502)).retry, true);
  });

  test('it gives up after the last attempt and says so', () => {
    const decision = afterFailure(policy, 4, network);
    assert.equal(decision.retry, false);
    assert.match(decision.why, /socket hang up \(gave up after 4 attempts\)/);
  });

  test('answers that retrying cannot change end the start-up at once', () => {
    for (const code of [400, 401, 404]) assert.equal(afterFailure(policy, 1, answer(code)).retry, false, String(code));
    assert.equal(afterFailure(policy, 1, new TypeError('bug')).retry, false);
  });

  test('429 waits at least retry_after', () => {
    const decision = afterFailure(policy, 1, answer(429, { retry_after: 2 }));
    assert.ok(decision.retry && decision.delayMs === 2000);
  });

  test('the network cause is part of the message', () => {
    assert.equal(describeError(network), "Network request for 'getMe' failed! socket hang up");
  });
});

// Runs main.js against `api` until it exits or, with `untilPolling`, it has
// polled and then `whilePolling` (if any) has resolved; returns its exit
// code (null if it was still running) and log.
async function runBot(api: FakeBotApi, env: Record<string, string>, untilPolling: boolean,
  whilePolling?: (log: () => string) => Promise<void>) {
  const apiRoot = await api.listen();
  const bot = spawn(process.execPath, [path.join(__dirname, 'main.js')], {
    env: { ...process.env, BOT_TOKEN: TOKEN, BOT_API_ROOT: apiRoot, STORAGE_CHAT_ID: '-1001',
      STICKERD_SOCKET: '/nonexistent/stickerd.sock', STARTUP_RETRY_MS: '20', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  bot.stdout!.on('data', (c) => (log += c));
  bot.stderr!.on('data', (c) => (log += c));
  const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
  try {
    if (untilPolling) {
      await api.waitUntil(() => api.callsOf('getUpdates').length > 0, 20_000, () => `the bot to poll\n${log}`);
      await whilePolling?.(() => log);
      return { code: null, log };
    }
    const timer = setTimeout(() => bot.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    return { code, log };
  } finally {
    if (bot.exitCode === null) {
      bot.kill('SIGTERM');
      await exited;
    }
  }
}

describe('main.js start-up', () => {
  const apis: FakeBotApi[] = [];
  const fake = () => {
    const api = new FakeBotApi();
    apis.push(api);
    return api;
  };
  after(async () => {
    for (const api of apis) await api.close();
  });

  test('failed getMe calls are logged and retried, then the bot polls', async () => {
    const api = fake();
    api.failNext('getMe', 1, 'drop');
    api.failNext('getMe', 1, 502);
    const { log } = await runBot(api, {}, true);
    assert.match(log, /start-up attempt 1\/8 failed: Network request for 'getMe' failed!.*; retrying in 20 ms/);
    assert.match(log, /start-up attempt 2\/8 failed: .*502.*; retrying in 40 ms/);
    assert.match(log, /@test_bot is running/);
  });

  test('a bot that cannot reach the Bot API gives up, says why and exits 1', async () => {
    const api = fake();
    api.failNext('getMe', 100, 'drop');
    const started = Date.now();
    const { code, log } = await runBot(api, { STARTUP_ATTEMPTS: '3' }, false);
    assert.equal(code, 1, log);
    assert.equal(api.callsOf('getMe').length, 3);
    assert.match(log, /start-up failed: Network request for 'getMe' failed!.*\(gave up after 3 attempts\)/);
    assert.ok(Date.now() - started < 15_000);
    assert.ok(!log.includes('SECRET'), `the token leaked into the log:\n${log}`);
  });

  test('a failed getUpdates while polling is logged, not swallowed', async () => {
    const api = fake();
    const { log } = await runBot(api, {}, true, async (current) => {
      api.failNext('getUpdates', 1, 502);
      const deadline = Date.now() + 20_000;
      while (!current().includes('getUpdates failed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    });
    assert.match(log, /getUpdates failed: 502: injected 502/);
  });

  test('a wrong token (401) ends the start-up at once', async () => {
    const api = fake();
    api.failNext('getMe', 100, 401);
    const { code, log } = await runBot(api, {}, false);
    assert.equal(code, 1, log);
    assert.equal(api.callsOf('getMe').length, 1);
    assert.match(log, /start-up failed: .*401.*retrying cannot help/);
  });
});
