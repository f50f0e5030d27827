/**
 * The broker's JSON config files (`config/topics.json`, `subscriptionGroup.json`,
 * `consumerOffset.json`): written atomically and read back tolerantly.
 *
 * A write goes to `<file>.tmp`, is fsynced, the current file becomes
 * `<file>.bak`, and the temp file is renamed over the original; the directory
 * is fsynced so the rename survives a power loss. A reader that finds the main
 * file missing or unreadable falls back to `.bak`, as RocketMQ's
 * ConfigManager does.
 */
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseFastjson } from '../../../sdk/protocol/fastjson.ts';

/** RocketMQ's DataVersion: bumped on every change so name servers and slaves see it. */
export class DataVersion {
  timestamp = Date.now();
  counter = 0;
  stateVersion = 0;

  next(): void {
    this.timestamp = Date.now();
    this.counter++;
  }

  assign(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    const source = value as Record<string, unknown>;
    if (typeof source.timestamp === 'number') this.timestamp = source.timestamp;
    if (typeof source.counter === 'number') this.counter = source.counter;
    if (typeof source.stateVersion === 'number') this.stateVersion = source.stateVersion;
  }

  toJSON(): { counter: number; stateVersion: number; timestamp: number } {
    return { counter: this.counter, stateVersion: this.stateVersion, timestamp: this.timestamp };
  }
}

/** Writes `text` to `path` so that a crash leaves either the old or the new content. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (await exists(path)) await rename(path, `${path}.bak`);
  await rename(temp, path);
  await syncDirectory(dirname(path));
}

/** The parsed content of a config file (fastjson syntax: unquoted numeric keys are fine), from `.bak` when the main file is missing or broken; undefined when neither exists. */
export async function readConfigFile(path: string): Promise<unknown> {
  for (const candidate of [path, `${path}.bak`]) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch {
      continue;
    }
    if (text.trim() === '') continue;
    try {
      return parseFastjson(text);
    } catch {
      continue;
    }
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function syncDirectory(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse to fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/**
 * Serializes writes of one file: a change while a write runs schedules one
 * more write of the latest content, never two concurrent writers.
 */
export class PersistQueue {
  private running: Promise<void> | undefined;
  private again = false;
  private readonly path: string;
  private readonly render: () => string;
  private readonly onError: (error: unknown) => void;

  constructor(path: string, render: () => string, onError: (error: unknown) => void) {
    this.path = path;
    this.render = render;
    this.onError = onError;
  }

  /** Writes the current content soon; resolves once a write that includes it finished. */
  persist(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Waits for any write in progress, then writes once more. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    await this.persist();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await writeFileAtomically(this.path, this.render());
      } catch (error) {
        this.onError(error);
      }
    } while (this.again);
  }
}
