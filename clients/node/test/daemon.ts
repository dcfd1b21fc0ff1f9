// Starts and stops a real stickerd for a test on a private temporary socket.
// The binary comes from $STICKERD_BIN; without it daemon tests are skipped.
// Readiness is a condition with a deadline: stats report every worker READY.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Client } from '../src';

export const STICKERD_BIN = process.env.STICKERD_BIN;
export const SKIP = STICKERD_BIN
  ? false
  : 'STICKERD_BIN is not set: set it to the stickerd binary (e.g. build-clients/master/stickerd) to run daemon tests';
const STARTUP_MS = Number(process.env.STICKERD_STARTUP_MS ?? 60_000);

export async function waitFor<T>(condition: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export class Daemon {
  readonly dir: string;
  readonly socket: string;
  private proc: ChildProcess | null = null;
  private output = '';
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly workers = 2, readonly queueSize?: number, socket?: string, readonly extraArgs: string[] = []) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stickerd-node-'));
    this.socket = socket ?? path.join(this.dir, 's.sock');
  }

  async start(): Promise<this> {
    if (!STICKERD_BIN) throw new Error(String(SKIP));
    // Its own control socket and no metrics endpoint: the defaults (./run,
    // 127.0.0.1:9464) are shared by every daemon on the machine, so a second
    // test run at the same time would make this one fail to start. Its own
    // disk cache too, so no test is answered from another's renders, and no
    // background renders of repeated texts.
    const args = ['--socket', this.socket, '--workers', String(this.workers), '--metrics-address', 'none',
      '--control-socket', path.join(this.dir, 'control.sock'), '--disk-cache-dir', path.join(this.dir, 'cache'),
      '--predict', 'off'];
    if (this.queueSize !== undefined) args.push('--queue-size', String(this.queueSize));
    args.push(...this.extraArgs);
    const proc = spawn(STICKERD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000));
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    try {
      await waitFor(async () => {
        if (proc.exitCode !== null) throw new Error(`stickerd exited with ${proc.exitCode}:\n${this.output}`);
        if (!fs.existsSync(this.socket)) return false;
        const probe = new Client({ socketPath: this.socket, connectTimeoutMs: 500, timeoutMs: 2000 });
        try {
          return (await probe.stats()).readyWorkers >= this.workers;
        } catch {
          return false;
        } finally {
          probe.close();
        }
      }, STARTUP_MS, `stickerd READY with ${this.workers} workers`);
    } catch (err) {
      await this.stop();
      throw err;
    }
    return this;
  }

  // SIGTERM, then SIGKILL if it has not exited within 15 s.
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  log(): string {
    return this.output;
  }
}

// WebP header: RIFF/WEBP, then for VP8X the canvas size (24-bit width-1, height-1).
export function webpCanvas(data: Buffer): { chunk: string; width: number; height: number } {
  if (data.length < 30) throw new Error(`too short for WebP: ${data.length} bytes`);
  if (data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WEBP') {
    throw new Error('not a RIFF/WEBP file');
  }
  if (data.readUInt32LE(4) + 8 !== data.length) throw new Error('RIFF size does not match the file size');
  const chunk = data.toString('latin1', 12, 16);
  if (chunk !== 'VP8X') return { chunk, width: 0, height: 0 };
  return { chunk, width: data.readUIntLE(24, 3) + 1, height: data.readUIntLE(27, 3) + 1 };
}

export function unique(text: string): string {
  return `${text} ${Math.random().toString(36).slice(2, 8)}`;
}
