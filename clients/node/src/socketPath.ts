// Where the daemon listens by default; the same rule as common/socket_path.cc.
import * as path from 'node:path';

export function defaultSocketPath(): string {
  if (process.env.STICKERD_SOCKET) return process.env.STICKERD_SOCKET;
  // systemd passes a colon-separated list when several directories are named.
  const runtime = (process.env.RUNTIME_DIRECTORY ?? '').split(':')[0];
  return path.join(runtime || './run', 'stickerd.sock');
}
