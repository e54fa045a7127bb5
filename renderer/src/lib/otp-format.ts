// Passcodes split into groups that are easy to read aloud: 6 → 3-3, 7 → 3-4, 8 → 4-4, 9 → 3-3-3, 10 → 3-3-4.
const GROUPS: Record<number, number[]> = {
  6: [3, 3],
  7: [3, 4],
  8: [4, 4],
  9: [3, 3, 3],
  10: [3, 3, 4],
};

export function groupOtp(otp: string): string[] {
  const sizes = GROUPS[otp.length] ?? fallbackSizes(otp.length);
  const groups: string[] = [];
  let at = 0;
  for (const size of sizes) {
    groups.push(otp.slice(at, at + size));
    at += size;
  }
  return groups.filter((g) => g.length > 0);
}

/** Lengths the policy does not allow today: threes, with the remainder on the last group. */
function fallbackSizes(length: number): number[] {
  if (length <= 4) return [length];
  const sizes = Array.from({ length: Math.floor(length / 3) }, () => 3);
  sizes[sizes.length - 1]! += length % 3;
  return sizes;
}

/** "9:05" for a number of seconds (never negative). */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A short age: "42 s", "5 min", "2 h 10 min", "3 d". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}
