import type { DiagnoseResult } from "../diagnose/result.ts";

/** One target's diagnosis as the scan hands it on (written, then dropped: scan-tally.ts). */
export interface ScanOutcome {
  result: DiagnoseResult;
  /** Wall time of this target's diagnosis. */
  ms: number;
}
