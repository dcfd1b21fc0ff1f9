// Telegram file ids of uploaded stickers, keyed by (text, style config_id).
// config_id changes exactly when a style's look changes, so a cached id is
// never stale, across daemon restarts too. In memory here; a real bot would
// keep this in Redis or its database with the same key.
export class FileIdCache {
  private readonly ids = new Map<string, string>();

  private static key(text: string, configId: string): string {
    return `${configId}\u0000${text}`;
  }

  get(text: string, configId: string): string | undefined {
    return this.ids.get(FileIdCache.key(text, configId));
  }

  set(text: string, configId: string, fileId: string): void {
    this.ids.set(FileIdCache.key(text, configId), fileId);
  }
}
