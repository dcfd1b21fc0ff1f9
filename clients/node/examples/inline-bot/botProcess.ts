// The bot as its own process (main.js) for the end-to-end tests, against the
// fake Bot API at `apiRoot`: started until it polls (or failed with its log
// when it exits first), its output collected, stopped with SIGTERM.
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

import type { FakeBotApi } from './fakeBotApi';

export class BotProcess {
  log = '';
  private readonly child: ChildProcess;

  private constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [path.join(__dirname, 'main.js')], {
      env: { ...process.env, BOT_TOKEN: '123:TEST', STORAGE_CHAT_ID: '-1001', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (c) => (this.log += c));
    this.child.stderr!.on('data', (c) => (this.log += c));
  }

  // `env`: BOT_API_ROOT, STICKERD_SOCKET and any other setting of main.ts.
  static async start(api: FakeBotApi, env: Record<string, string>, timeoutMs: number): Promise<BotProcess> {
    const bot = new BotProcess(env);
    const exited = new Promise<string>((resolve) => bot.child.once('exit', (code) => resolve(`the bot exited with ${code}`)));
    const polled = api.waitUntil(() => api.callsOf('getUpdates').length > 0, timeoutMs, () => `the bot to poll\n${bot.log}`);
    const problem = await Promise.race([polled.then(() => ''), exited]);
    if (problem && api.callsOf('getUpdates').length === 0) throw new Error(`${problem}:\n${bot.log}`);
    return bot;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
