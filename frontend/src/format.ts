// Number, date and delta formatting shared by cards, tooltips and tables.
import { format, parseISO } from 'date-fns';
import type { Grouping } from './api/types';

const countFmt = new Intl.NumberFormat('en-US');
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export const DASH = '—';

function isNum(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

export function formatCount(n: number | null | undefined): string {
  return isNum(n) ? countFmt.format(n) : DASH;
}

/** A 0–1 rate as a percentage, e.g. 0.918 → "91.8%". */
export function formatRate(r: number | null | undefined): string {
  return isNum(r) ? `${oneDecimal.format(r * 100)}%` : DASH;
}

export function formatHours(h: number | null | undefined): string {
  return isNum(h) ? `${oneDecimal.format(h)} h` : DASH;
}

/** "2026-10-25" → "Oct 25, 2026". */
export function formatDay(iso: string): string {
  const d = parseISO(iso);
  return Number.isNaN(d.getTime()) ? iso : format(d, 'MMM d, yyyy');
}

/** Short axis label for a bucket start date. */
export function formatBucketShort(iso: string, group: Grouping): string {
  const d = parseISO(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return group === 'month' ? format(d, 'MMM yyyy') : format(d, 'MMM d');
}

/** Full tooltip label for a bucket start date. */
export function formatBucketLong(iso: string, group: Grouping): string {
  const d = parseISO(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (group === 'month') return format(d, 'MMMM yyyy');
  if (group === 'week') return `Week of ${format(d, 'MMM d, yyyy')}`;
  return format(d, 'EEE, MMM d, yyyy');
}

export function formatRange(from: string, to: string): string {
  return `${formatDay(from)} – ${formatDay(to)}`;
}

export type DeltaKind = 'count' | 'rate' | 'hours';

export interface Delta {
  /** e.g. "+12.3%", "−2.1 pp", "+3.0 h", "no change". */
  text: string;
  direction: 'up' | 'down' | 'flat' | 'none';
  /** Whether the change is an improvement; null when neither (no change, or no comparison). */
  good: boolean | null;
}

const MINUS = '−';

function signed(n: number, fmt: (x: number) => string): string {
  return `${n > 0 ? '+' : MINUS}${fmt(Math.abs(n))}`;
}

/**
 * Change from the previous period to this one. Counts change in percent, rates in
 * percentage points, durations in hours. `lowerIsBetter` flips the colour, not the sign.
 */
export function computeDelta(
  current: number | null | undefined,
  previous: number | null | undefined,
  kind: DeltaKind,
  lowerIsBetter = false,
): Delta {
  if (!isNum(current) || !isNum(previous)) return { text: 'no comparison', direction: 'none', good: null };
  const diff = current - previous;
  if (Math.abs(diff) < 1e-9) return { text: 'no change', direction: 'flat', good: null };
  const direction = diff > 0 ? 'up' : 'down';
  const good = lowerIsBetter ? diff < 0 : diff > 0;
  let text: string;
  switch (kind) {
    case 'count':
      text =
        previous === 0
          ? `${signed(diff, (x) => countFmt.format(x))} from 0`
          : signed((diff / previous) * 100, (x) => `${oneDecimal.format(x)}%`);
      break;
    case 'rate':
      text = signed(diff * 100, (x) => `${oneDecimal.format(x)} pp`);
      break;
    case 'hours':
      text = signed(diff, (x) => `${oneDecimal.format(x)} h`);
      break;
  }
  return { text, direction, good };
}
