/** The flags of `apogee bench`, as commander hands them over. */
import type { ClientFlags } from '../options.ts';

export type BenchKind = 'produce' | 'consume' | 'e2e';

export interface BenchFlags extends ClientFlags {
  topic: string;
  size: number;
  count?: number;
  duration?: number;
  inflight: number;
  producers: number;
  consumers: number;
  batch: number;
  flushMode?: string;
  group?: string;
  progress?: boolean;
  rate?: number;
}

/** How long a bench runs when neither --count nor --duration is given. */
export const benchDurationDefaultMs = 10_000;
