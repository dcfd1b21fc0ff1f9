// The Client against a real stickerd ($STICKERD_BIN).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Cancelled, Client, InvalidArgument, QueueFull, RequestTimeout, StickerdError, TextTooLong, UnknownStyle } from '../src';
import { Daemon, SKIP, unique, webpCanvas } from './daemon';

describe('Client (2 workers)', { skip: SKIP }, () => {
  let daemon: Daemon;
  let client: Client;
  before(async () => {
    daemon = await new Daemon(2).start();
    client = new Client({ socketPath: daemon.socket, timeoutMs: 60_000 });
  });
  after(async () => {
    client?.close();
    await daemon?.close();
  });

  test('render returns a 512x512 VP8X WebP', async () => {
    const sticker = await client.render(unique('hello'), { format: 'FORMAT_WEBP' });
    assert.deepEqual(webpCanvas(sticker.data), { chunk: 'VP8X', width: 512, height: 512 });
    assert.equal(sticker.mimeType, 'image/webp');
    assert.equal(sticker.format, 'FORMAT_WEBP');
  });

  test('stats and styles', async () => {
    const stats = await client.stats();
    assert.equal(stats.readyWorkers, 2);
    assert.equal(typeof stats.tasksCompleted, 'number');
    const styles = await client.styles();
    assert.ok(styles.styles.some((s) => s.id === 'classic'));
    assert.ok(styles.styles.every((s) => s.configId.length > 0));
  });

  test('batch yields every index, then done', async () => {
    // Every style Telegram (the default profile) can take: not animated-WebP-only.
    const n = (await client.styles()).styles.filter((s) => s.formats.some((f) => f !== 'FORMAT_WEBP_ANIMATED')).length;
    const stream = client.batch(unique('batch'));
    const indices: number[] = [];
    for await (const item of stream) {
      assert.ok(item.sticker, `${item.styleId}: ${item.error}`);
      indices.push(item.index);
    }
    assert.deepEqual(indices.sort((a, b) => a - b), [...Array(n).keys()]);
    assert.deepEqual(stream.done, { count: n, succeeded: n });
  });

  test('typed errors', async () => {
    await assert.rejects(client.render('x', { styleId: 'no-such-style' }), UnknownStyle);
    await assert.rejects(client.render(''), InvalidArgument);
    await assert.rejects(client.render('x'.repeat(257)), TextTooLong);
    await assert.rejects(client.render('x', { styleId: 'no-such-style' }), StickerdError);
  });

  test('deadlineMs is accepted', async () => {
    const sticker = await client.render(unique('deadline'), { deadlineMs: 30_000 });
    assert.equal(webpCanvas(sticker.data).width, 512);
  });

  test('aborting sends CancelRequest and rejects with Cancelled', async () => {
    // Seven animations (hundreds of ms each) on two workers ahead of it: the
    // target is still queued when aborted, even on a busy machine, where
    // seven static stickers were done before the abort arrived.
    const busy = { styleId: 'bounce', format: 'FORMAT_WEBP_ANIMATED', profile: 'PROFILE_WHATSAPP', deadlineMs: 30_000 } as const;
    const renders = Array.from({ length: 7 }, (_, n) => client.render(unique(`busy ${n}`), busy));
    const controller = new AbortController();
    const target = client.render(unique('target'), { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve)); // let it reach the daemon
    controller.abort();
    const err = await target.then(() => null, (e) => e);
    assert.ok(err instanceof Cancelled, String(err));
    assert.equal(await err.cancelAck, true, 'the daemon had the request pending and cancelled it');
    await Promise.all(renders);
  });

  test('a client-side timeout rejects with RequestTimeout', async () => {
    // An animation takes hundreds of ms and the daemon's deadline is 30 s, so
    // the 0 ms timer always fires first (with the default deadline, equal to
    // the timeout, a loaded machine could deliver DEADLINE_EXCEEDED first).
    const slow = { styleId: 'bounce', format: 'FORMAT_WEBP_ANIMATED', profile: 'PROFILE_WHATSAPP', deadlineMs: 30_000 } as const;
    await assert.rejects(client.render(unique('slow'), { ...slow, timeoutMs: 0 }), RequestTimeout);
    // The connection is still fine: it answers. The timeout sent a 0 ms
    // deadline; the daemon answers it without killing the worker rendering
    // it, so both workers stay ready.
    const stats = await client.stats();
    assert.equal(stats.totalWorkers, 2);
    assert.equal(stats.readyWorkers, 2);
  });
});

describe('QUEUE_FULL (1 worker, queue 1)', { skip: SKIP }, () => {
  test('ten concurrent renders: some refused with QueueFull', async () => {
    const daemon = await new Daemon(1, 1).start();
    const client = new Client({ socketPath: daemon.socket, timeoutMs: 60_000 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => client.render(unique(`q${n}`))));
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      const full = results.filter((r) => r.status === 'rejected' && r.reason instanceof QueueFull).length;
      assert.equal(ok + full, 10, JSON.stringify(results.filter((r) => r.status === 'rejected')));
      assert.ok(ok >= 1 && full >= 1, `ok=${ok} full=${full}`);
      assert.ok((await client.stats()).rejectedQueueFull >= full);
    } finally {
      client.close();
      await daemon.close();
    }
  });
});

describe('reconnect', { skip: SKIP }, () => {
  test('the client survives a daemon restart on the same socket', async () => {
    const first = await new Daemon(1).start();
    const client = new Client({ socketPath: first.socket, timeoutMs: 60_000, connectTimeoutMs: 30_000 });
    let second: Daemon | undefined;
    try {
      await client.stats();
      await first.stop();
      second = await new Daemon(1, undefined, first.socket).start();
      const sticker = await client.render('after restart');
      assert.equal(webpCanvas(sticker.data).width, 512);
    } finally {
      client.close();
      await second?.close();
      await first.close();
    }
  });
});
