// Runs the inline bot. Environment:
//   BOT_TOKEN          the bot's token (required)
//   BOT_API_ROOT       Bot API base URL (default https://api.telegram.org; a
//                      local telegram-bot-api server or a test fake)
//   STORAGE_CHAT_ID    chat the bot may post stickers to, to obtain file ids (required)
//   STICKERD_SOCKET    stickerd's socket (default $RUNTIME_DIRECTORY/stickerd.sock, else ./run/stickerd.sock)
//   PAGE_SIZE          results per inline answer (default 20)
//   JOB_TTL_MS         how long a finished text's job serves later pages (default 60000)
//   STARTUP_ATTEMPTS   getMe + deleteWebhook rounds before giving up (default 8)
//   STARTUP_RETRY_MS   wait after the first failed round, doubling up to 15 s (default 500)
// Exit status: 0 after SIGINT/SIGTERM, 1 if the bot cannot start or polling
// fails for good (the reason is logged), 2 for a missing setting.
import { Client } from '../../src';
import { createInlineBot } from './bot';
import { DEFAULT_STARTUP, startBot } from './startup';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}

const stickerd = new Client({ timeoutMs: 60_000, connectTimeoutMs: 30_000 });
const bot = createInlineBot({
  token: required('BOT_TOKEN'),
  apiRoot: process.env.BOT_API_ROOT || undefined,
  storageChatId: required('STORAGE_CHAT_ID'),
  stickerd,
  pageSize: Number(process.env.PAGE_SIZE ?? 20),
  jobTtlMs: Number(process.env.JOB_TTL_MS ?? 60_000),
});

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) {
    console.error(`${name} must be a positive number`);
    process.exit(2);
  }
  return value;
}

const stopping = new AbortController();
const stop = () => {
  stopping.abort();
  void bot.stop().finally(() => stickerd.close());
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
startBot(bot, {
  log: (m) => console.error(m),
  allowedUpdates: ['inline_query', 'message'], // message: /pack
  onStart: (username) => console.error(`@${username} is running`),
  policy: {
    ...DEFAULT_STARTUP,
    attempts: positive('STARTUP_ATTEMPTS', DEFAULT_STARTUP.attempts),
    firstDelayMs: positive('STARTUP_RETRY_MS', DEFAULT_STARTUP.firstDelayMs),
  },
  signal: stopping.signal,
}).then(
  () => stickerd.close(),
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
