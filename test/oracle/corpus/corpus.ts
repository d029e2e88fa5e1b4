import type { OracleCase } from "./case.ts";
import { handPickedCases } from "./hand-picked.ts";
import { randomCases } from "./random.ts";

/** The seed of the committed corpus; REGTRUST_ORACLE_SEED explores others. */
export const DEFAULT_SEED = 20260301;

export function corpus(seed = DEFAULT_SEED, randomCount = 100): OracleCase[] {
  return [...handPickedCases(seed), ...randomCases(seed, randomCount)];
}
