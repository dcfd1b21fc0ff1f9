// A connection refused at the daemon's connection limit reaches the caller
// as ConnectionLimit (CONNECTION_LIMIT), not a lost connection or a reply to
// the wrong request.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';

import { Client, ConnectionLimit, ErrorCode, encodeFrame, encodeRequest } from '../src';
import { Daemon, SKIP, unique, waitFor } from './daemon';

test('a client over --max-connections gets ConnectionLimit', { skip: SKIP }, async () => {
  const daemon = await new Daemon(1, undefined, undefined, ['--max-connections', '1']).start();
  const holder = net.createConnection(daemon.socket);
  try {
    // The holder is counted once the daemon has answered it.
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.once('data', () => resolve());
      holder.write(encodeFrame(encodeRequest({ id: 1, stats: {} })));
    });
    const client = new Client({ socketPath: daemon.socket, timeoutMs: 30_000 });
    try {
      await assert.rejects(client.render(unique('refused')), (err: unknown) => {
        assert.ok(err instanceof ConnectionLimit, String(err));
        assert.equal(err.code, ErrorCode.CONNECTION_LIMIT);
        assert.equal(err.codeName, 'CONNECTION_LIMIT');
        assert.equal(err.retryable, true);
        assert.match(err.message, /too many connections/);
        return true;
      });
    } finally {
      client.close();
    }
    holder.destroy();
    // The slot is free again once the daemon has seen the holder go.
    await waitFor(async () => {
      const again = new Client({ socketPath: daemon.socket, timeoutMs: 60_000 });
      try {
        return (await again.render(unique('served'))).data.length > 0;
      } catch (err) {
        if (err instanceof ConnectionLimit) return false;
        throw err;
      } finally {
        again.close();
      }
    }, 30_000, 'a render once the slot is free');
  } finally {
    holder.destroy();
    await daemon.close();
  }
});
