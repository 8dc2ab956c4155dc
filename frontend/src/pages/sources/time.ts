// Instants and durations of runs (Unix seconds), as the Data sources and Settings pages show them.
import { format, formatDistanceStrict } from 'date-fns';
import { DASH } from '../../format';

export function formatInstant(unix: number | null | undefined): string {
  if (unix == null) return DASH;
  return format(new Date(unix * 1000), 'yyyy-MM-dd HH:mm:ss');
}

/** "5 minutes ago", "in 20 minutes". */
export function formatRelative(date: Date, now: Date = new Date()): string {
  return formatDistanceStrict(date, now, { addSuffix: true });
}

/** 0.4 s, 12 s, 3 min 05 s, 2 h 10 min. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || seconds < 0) return DASH;
  if (seconds < 1) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
