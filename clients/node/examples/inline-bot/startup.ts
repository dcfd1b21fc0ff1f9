// Start-up of the inline bot: getMe and deleteWebhook with a bounded, logged
// retry, then grammY's long polling.
//
// grammY's own bot.start() retries getMe and deleteWebhook on any network
// error for ever (backing off up to 20 minutes) and reports each failure only
// through the `debug` package, which prints nothing unless DEBUG is set. A bot
// whose Bot API calls keep failing therefore looked alive while it never
// polled. Here the first getMe and deleteWebhook are ours: each failure is
// logged with its cause, network errors and 5xx answers are retried with
// exponential backoff a bounded number of times, and answers that retrying
// cannot change (a wrong token: 401, a wrong BOT_API_ROOT: 404) end the
// start-up at once. The caller exits non-zero when startBot() rejects.
import { Bot, GrammyError, HttpError, type PollingOptions } from 'grammy';

export interface StartupPolicy {
  attempts: number; // getMe + deleteWebhook rounds before giving up
  firstDelayMs: number; // wait after the first failure; doubles after each
  maxDelayMs: number;
}

export const DEFAULT_STARTUP: StartupPolicy = { attempts: 8, firstDelayMs: 500, maxDelayMs: 15_000 };

export type Decision = { retry: true; delayMs: number; why: string } | { retry: false; why: string };

// What to do after failed attempt `attempt` (1-based). Pure, so the policy is
// tested without a network.
export function afterFailure(policy: StartupPolicy, attempt: number, error: unknown): Decision {
  const why = describeError(error);
  let delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempt - 1));
  if (error instanceof GrammyError) {
    if (error.error_code === 429 && typeof error.parameters.retry_after === 'number') {
      delayMs = Math.max(delayMs, error.parameters.retry_after * 1000);
    } else if (error.error_code < 500 && error.error_code !== 429) {
      return { retry: false, why: `${why} (retrying cannot help)` };
    }
  } else if (!(error instanceof HttpError)) {
    return { retry: false, why };
  }
  if (attempt >= policy.attempts) return { retry: false, why: `${why} (gave up after ${attempt} attempts)` };
  return { retry: true, delayMs, why };
}

// One line, with the underlying network error that HttpError's own message
// leaves out.
export function describeError(error: unknown): string {
  if (error instanceof HttpError) {
    const cause = error.error instanceof Error ? error.error.message : String(error.error);
    return `${error.message} ${cause}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export interface StartOptions {
  policy?: StartupPolicy;
  log: (message: string) => void;
  allowedUpdates?: PollingOptions['allowed_updates'];
  onStart?: (username: string) => void;
  signal?: AbortSignal; // aborting during start-up resolves without polling
}

// Resolves when polling stops (bot.stop()); rejects when the bot cannot start
// or polling ends with an error grammY does not retry (401, 409).
export async function startBot(bot: Bot, options: StartOptions): Promise<void> {
  const policy = options.policy ?? DEFAULT_STARTUP;
  const token = bot.token;
  const redact = (text: string) => (token ? text.split(token).join('<token>') : text);
  const log = (message: string) => options.log(redact(message));

  // Once polling, grammY retries failed getUpdates (and the deleteWebhook in
  // bot.start()) on its own; without this they would fail silently.
  let polling = false;
  const retriedByGrammy = new Set(['getUpdates', 'deleteWebhook', 'getMe']);
  bot.api.config.use(async (prev, method, payload, signal) => {
    const logged = polling && retriedByGrammy.has(method);
    try {
      const result = await prev(method, payload, signal);
      if (logged && !result.ok) log(`${method} failed: ${result.error_code}: ${result.description}`);
      return result;
    } catch (err) {
      if (logged && !signal?.aborted) log(`${method} failed: ${describeError(err)}`);
      throw err;
    }
  });

  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) return;
    try {
      // Not bot.init(): it wraps getMe in grammY's silent, endless retry.
      if (!bot.isInited()) bot.botInfo = await bot.api.getMe();
      await bot.api.deleteWebhook();
      break;
    } catch (err) {
      const decision = afterFailure(policy, attempt, err);
      if (!decision.retry) throw new Error(redact(`start-up failed: ${decision.why}`));
      log(`start-up attempt ${attempt}/${policy.attempts} failed: ${decision.why}; retrying in ${decision.delayMs} ms`);
      await sleep(decision.delayMs, options.signal);
    }
  }
  if (options.signal?.aborted) return;
  // bot.start() calls deleteWebhook once more (it always does); getMe is done.
  polling = true;
  await bot.start({
    allowed_updates: options.allowedUpdates,
    onStart: (me) => options.onStart?.(me.username),
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
