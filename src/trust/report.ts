import type { DiagnoseResult } from "../diagnose/result.ts";
import type { ContextName } from "../node/types.ts";
import type { AppliedEffect } from "../plan/apply-result.ts";
import type { CommandOutcome } from "../plan/commands.ts";
import type { PlanAction } from "../plan/plan.ts";

/**
 * What `regtrust trust|untrust|insecure` did, for the text renderer and
 * `--json` (schemaVersion 1). The first six fields are the contract; the rest
 * are additive.
 */
export interface TrustReport {
  schemaVersion: 1;
  /** The registry, host[:port] as runtimes key their configuration. */
  target: string;
  dryRun: boolean;
  contexts: ContextReport[];
  commands: CommandOutcome[];
  /** `diagnose` re-run on a fresh read of the node after applying; null for dry runs and untrust. */
  diagnosis: DiagnoseResult | null;
  action: PlanAction;
  /** The CA installed (trust only). */
  ca: { source: string; certificates: { subject: string; sha256: string; notAfter: string }[] } | null;
  /** insecure only: when the override stops (ISO-8601). */
  expiresAt: string | null;
  /** Every path changed (or, for a dry run, that would change), in order. */
  effects: AppliedEffect[];
  /** false when the node already had everything (trust run twice). */
  changed: boolean;
  /** Expired insecure overrides removed before this run. */
  expiredRemoved: string[];
  notes: string[];
  /** Dry run only: the unified diff and commands, secrets redacted. */
  preview: string | null;
  /**
   * `trust --replace` and `untrust --ca`: how the set of anchors regtrust
   * installed for the registry changes (SHA-256 fingerprints). Absent for
   * additive trust, full untrust and insecure.
   */
  rotation?: RotationSummary;
}

export interface RotationSummary {
  /** replace: the set becomes the bundle; remove: the listed CAs leave it. */
  mode: "replace" | "remove";
  /** Anchors regtrust had installed before this run. */
  before: string[];
  /** Anchors regtrust has installed after it (or would, for a dry run). */
  after: string[];
  added: string[];
  removed: string[];
  /** untrust --ca: CAs in the file that regtrust had not installed (left alone). */
  notInstalled: string[];
}

export interface ContextReport {
  name: ContextName;
  /** Node paths this context's plan changed (or would change). */
  changes: string[];
  /** The unit that must still restart before the change takes effect; null when none is pending. */
  restart: string | null;
  /** The changed file that needs that restart (e.g. config.toml), when known. */
  restartFile?: string;
  /** The context now verifies the registry (trust), has verification off (insecure), or was reverted (untrust). */
  verified: boolean;
  /** How it was verified, or why not, in one line. */
  detail: string;
}

/**
 * `--json` when trust/untrust/insecure refused before planning or applying
 * (bad CA, conflicting plan, apply failure): the contract's first six fields,
 * empty, and the reason.
 */
export interface TrustRefusalReport {
  schemaVersion: 1;
  target: string;
  dryRun: boolean;
  contexts: [];
  commands: [];
  diagnosis: null;
  /** Why nothing was done (also printed on stderr). */
  error: string;
}

/** An untrust that changed nothing (nothing regtrust installed matches): the notes say why; exit 0. */
export function unchangedUntrustReport(
  registry: string,
  opts: { dryRun: boolean; expiredRemoved: string[]; notes: string[] },
): TrustReport {
  return {
    schemaVersion: 1,
    target: registry,
    dryRun: opts.dryRun,
    contexts: [],
    commands: [],
    diagnosis: null,
    action: "untrust",
    ca: null,
    expiresAt: null,
    effects: [],
    changed: false,
    expiredRemoved: opts.expiredRemoved,
    notes: opts.notes,
    preview: null,
  };
}
