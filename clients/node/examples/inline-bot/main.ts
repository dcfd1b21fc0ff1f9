// Runs the inline bot. Environment:
//   BOT_TOKEN          the bot's token (required)
//   BOT_API_ROOT       Bot API base URL (default https://api.telegram.org; a
//                      local telegram-bot-api server or a test fake)
//   STORAGE_CHAT_ID    chat the bot may post stickers to, to obtain file ids (required)
//   STICKERD_SOCKET    stickerd's socket (default $RUNTIME_DIRECTORY/stickerd.sock, else ./run/stickerd.sock)
//   PAGE_SIZE          results per inline answer (default 20)
//   JOB_TTL_MS         how long a finished text's job serves later pages (default 60000)
import { Client } from '../../src';
import { createInlineBot } from './bot';

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

const stop = () => {
  void bot.stop().finally(() => stickerd.close());
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
void bot.start({ allowed_updates: ['inline_query'], onStart: (me) => console.error(`@${me.username} is running`) });
