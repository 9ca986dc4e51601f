/**
 * Replays a newline-delimited JSON file of contract events through the same validation and
 * projection as live ingestion (backfill, tests). Offsets are line numbers in an offset space named
 * after the file's content, so replaying the same file twice applies it once; event-id dedupe also
 * protects against overlap with live ingestion.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { decodeMessage } from '../domain/decode.ts';
import type { ProjectionContext } from '../domain/working-set.ts';
import type { LiveStore } from '../store/store.ts';
import { applyBatch, type BatchItem } from './apply-batch.ts';

export interface ReplayOptions {
  store: LiveStore;
  ctxAt: (now: number) => ProjectionContext;
  now: () => number;
  maxMessageBytes: number;
  dedupeHours: number;
  batchSize?: number;
  /** Called for each rejected line. */
  onReject?: (line: number, reason: string) => void;
}

export interface ReplayResult {
  lines: number;
  applied: number;
  duplicates: number;
  rejected: number;
  alreadyApplied: number;
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 16);
}

/** Replays `path`; blank lines are skipped, every other line is one event. */
export async function replayFile(path: string, opts: ReplayOptions): Promise<ReplayResult> {
  const namespace = `replay:${await fileDigest(path)}`;
  const result: ReplayResult = { lines: 0, applied: 0, duplicates: 0, rejected: 0, alreadyApplied: 0 };
  let items: BatchItem[] = [];
  const flush = async () => {
    if (items.length === 0) return;
    const out = await applyBatch(
      opts.store,
      { namespace, topic: 'file', partition: 0, items },
      opts.ctxAt,
      opts.now,
      opts.dedupeHours,
    );
    result.applied += out.applied;
    result.duplicates += out.duplicates;
    result.alreadyApplied += out.alreadyApplied;
    items = [];
  };
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') continue;
    result.lines += 1;
    const decoded = decodeMessage(Buffer.from(line, 'utf8'), {
      maxBytes: opts.maxMessageBytes,
      topicRole: null,
    });
    if (decoded.ok) items.push({ offset: String(n), event: decoded.event });
    else {
      result.rejected += 1;
      opts.onReject?.(n, decoded.reason);
      items.push({ offset: String(n), event: null });
    }
    if (items.length >= (opts.batchSize ?? 1000)) await flush();
  }
  await flush();
  return result;
}
