import { UsageError } from "../core/errors.ts";

/** Insecure mode is for emergencies: a week at most, then it must be renewed on purpose. */
export const MAX_TTL_MS = 7 * 24 * 3600 * 1000;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `4h`, `2d` (also combined, `1d12h`) → milliseconds; refuses a missing, zero or over-a-week TTL. */
export function parseTtl(text: string | undefined): number {
  if (text === undefined) {
    throw new UsageError(
      "insecure needs --ttl DURATION (e.g. 30m, 4h, 2d; at most 7d): it must always expire",
    );
  }
  const parts = [...text.trim().matchAll(/(\d+)([mhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim()) {
    throw new UsageError(`--ttl must look like 30m, 4h or 2d, got "${text}"`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (ms <= 0) throw new UsageError("--ttl must be longer than zero");
  if (ms > MAX_TTL_MS)
    throw new UsageError(`--ttl ${text} is longer than 7 days; insecure mode is for emergencies`);
  return ms;
}
