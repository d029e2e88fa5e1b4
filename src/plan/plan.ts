import { createHash } from "node:crypto";
import { InputError } from "../core/errors.ts";
import { checkNodePath } from "./safe-path.ts";

/**
 * A plan: every file change and command one regtrust action needs, as plain
 * data. The same value is previewed (preview.ts), applied (apply.ts), reversed
 * (undo.ts) and exported to provisioning tools, so it holds no functions and
 * survives `serialisePlan` / `parsePlan`.
 *
 * Paths are node-absolute (`/etc/containerd/config.toml`); they are resolved
 * under `--root` only when applied or previewed.
 */
export interface Plan {
  /** The registry the plan is for, `host[:port]`; the journal files records under it. */
  target: string;
  action: PlanAction;
  /** Applied in this order (missing parent directories are created first, mode 0755). */
  changes: FileChange[];
  /** Run after every file change succeeded. */
  commands: PlanCommand[];
  /** Sentences for the operator, printed with the preview. */
  notes: string[];
  /** Recorded with the applied plan, e.g. `{ expiresAt: "2026-…Z" }` for `insecure`. */
  meta?: Record<string, string>;
  /** Set on plans built by undo.ts: which journal records applying it removes. */
  undo?: UndoOf;
}

export type PlanAction = "trust" | "untrust" | "insecure";

/** Content is text (written as UTF-8) or raw bytes (DER certificates, anything else). */
export type FileContent = string | Uint8Array;

/**
 * One file-system change.
 * - `write`: create or replace a regular file. An existing file keeps its mode
 *   and owner; `mode` applies to a new file. `owner` says whether regtrust owns
 *   the whole file (`regtrust`, a header says so) or edits a file it does not
 *   own (`edit`, comments and unrelated entries kept by the planner).
 *   `expectSha256` (hex; null = must not exist) guards against the file
 *   changing between planning and applying. `shared` names an edit several
 *   targets rely on (e.g. `containerd:config_path`); see journal.ts.
 * - `delete`: remove a regular file (absent already = nothing to do).
 * - `mkdir`: create a directory (parents too, mode 0755).
 * - `rmdir`: remove a directory if it is empty, otherwise leave it (undo uses
 *   this for directories regtrust created).
 */
export type FileChange = WriteChange | DeleteChange | MkdirChange | RmdirChange;

export interface WriteChange {
  kind: "write";
  path: string;
  content: FileContent;
  mode: number;
  owner: "regtrust" | "edit";
  reason: string;
  expectSha256?: string | null;
  shared?: string;
}

export interface DeleteChange {
  kind: "delete";
  path: string;
  reason: string;
  expectSha256?: string;
}

export interface MkdirChange {
  kind: "mkdir";
  path: string;
  mode: number;
  reason: string;
}

export interface RmdirChange {
  kind: "rmdir";
  path: string;
  reason: string;
}

/**
 * A command to run after the file changes, as node-level argv (no shell).
 * commands.ts turns it into what runs for the given root (chroot, the host's
 * tool with directory options, nsenter) or into a line to print.
 * - `refresh` rebuilds a derived file (the OS CA bundle) and always runs.
 * - `restart` restarts `unit` and runs only when the operator asked for it;
 *   otherwise the exact command is printed.
 * `undoArgv` is what undo runs instead of `argv` (e.g. `update-ca-certificates
 * --fresh`, which also drops the links of removed certificates).
 * `inputs` are node paths a refresh rebuilds its output from; when one is
 * missing under the root the command does not run and apply refuses the plan
 * (refresh-preflight.ts). Kept in the journal, so undo checks them too.
 */
export interface PlanCommand {
  kind: "refresh" | "restart";
  argv: string[];
  reason: string;
  unit?: string;
  /**
   * restart: the node file whose change the restart loads (config.toml,
   * registries.yaml). The restart runs only when PID 1 sees that file's
   * directory as the one under --root (plan/commands.ts resolveRestart).
   */
  reads?: string;
  undoArgv?: string[];
  inputs?: string[];
}

export interface UndoOf {
  /** Journal records (journal.ts) this plan reverses; removed when it commits. */
  recordIds: string[];
  /** Shared edits reversed because no remaining record claims them. */
  releasedShared: string[];
  /** The journal revision the plan was built from; a different one makes it stale. */
  journalRevision: number;
}

export function newPlan(
  target: string,
  action: PlanAction,
  parts: Partial<Omit<Plan, "target" | "action">> = {},
): Plan {
  return { target, action, changes: [], commands: [], notes: [], ...parts };
}

/** A file regtrust owns entirely (its header says so): created, replaced, removed on untrust. */
export function writeOwnedFile(
  path: string,
  content: FileContent,
  reason: string,
  mode = 0o644,
): WriteChange {
  return { kind: "write", path, content, mode, owner: "regtrust", reason };
}

/**
 * A surgical edit of a file regtrust does not own. `before` is the content the
 * edit was computed from (null = the file did not exist); applying refuses if
 * the file no longer has it.
 */
export function editFile(
  path: string,
  before: FileContent | null,
  after: FileContent,
  reason: string,
  opts: { mode?: number; shared?: string } = {},
): WriteChange {
  const change: WriteChange = {
    kind: "write",
    path,
    content: after,
    mode: opts.mode ?? 0o644,
    owner: "edit",
    reason,
    expectSha256: before === null ? null : sha256Hex(before),
  };
  if (opts.shared !== undefined) change.shared = opts.shared;
  return change;
}

export function deleteFile(path: string, reason: string): DeleteChange {
  return { kind: "delete", path, reason };
}

export function makeDir(path: string, reason: string, mode = 0o755): MkdirChange {
  return { kind: "mkdir", path, mode, reason };
}

export function refreshCommand(
  argv: string[],
  reason: string,
  undoArgv?: string[],
  inputs?: readonly string[],
): PlanCommand {
  const command: PlanCommand = { kind: "refresh", argv, reason };
  if (undoArgv) command.undoArgv = undoArgv;
  if (inputs && inputs.length > 0) command.inputs = [...inputs];
  return command;
}

export function restartCommand(unit: string, reason: string, reads?: string): PlanCommand {
  const command: PlanCommand = { kind: "restart", argv: ["systemctl", "restart", unit], reason, unit };
  return reads ? { ...command, reads } : command;
}

/**
 * Joins plans for one target made by several planners (OS store, containerd,
 * k3s, …) into one: changes in order, commands deduplicated by argv (two
 * contexts needing `update-ca-certificates` run it once).
 */
export function combinePlans(target: string, action: PlanAction, parts: readonly Plan[]): Plan {
  const commands: PlanCommand[] = [];
  for (const command of parts.flatMap((p) => p.commands)) {
    if (!commands.some((c) => sameArgv(c.argv, command.argv))) commands.push(command);
  }
  const meta = Object.assign({}, ...parts.map((p) => p.meta ?? {})) as Record<string, string>;
  return newPlan(target, action, {
    changes: parts.flatMap((p) => p.changes),
    commands,
    notes: [...new Set(parts.flatMap((p) => p.notes))],
    ...(Object.keys(meta).length > 0 ? { meta } : {}),
  });
}

export function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((arg, i) => arg === b[i]);
}

export function contentBytes(content: FileContent): Uint8Array {
  return typeof content === "string" ? Buffer.from(content, "utf8") : content;
}

export function sha256Hex(content: FileContent): string {
  return createHash("sha256").update(contentBytes(content)).digest("hex");
}

/**
 * Structural checks before anything touches the disk: node-absolute paths
 * without `..`/NUL (safe-path.ts), sane modes, argv-only commands, one change
 * per path. Throws InputError naming the offending path.
 */
export function validatePlan(plan: Plan): void {
  if (plan.target.trim() === "") throw new InputError("plan has no target registry");
  const seen = new Set<string>();
  for (const change of plan.changes) {
    const normalised = `/${checkNodePath(change.path).join("/")}`;
    if (seen.has(normalised)) throw new InputError(`plan changes ${change.path} twice; merge the changes`);
    seen.add(normalised);
    if ("mode" in change && !(Number.isInteger(change.mode) && change.mode >= 0 && change.mode <= 0o7777)) {
      throw new InputError(`invalid mode ${change.mode} for ${change.path}`);
    }
  }
  for (const command of plan.commands) {
    if (command.argv.length === 0 || command.argv.some((a) => a.includes("\0"))) {
      throw new InputError(`invalid command for ${plan.target}: ${JSON.stringify(command.argv)}`);
    }
  }
}

/** JSON for export and for handing a plan to another process; bytes become `{ base64 }`. */
export function serialisePlan(plan: Plan): string {
  return JSON.stringify(plan, (_key, value: unknown) =>
    value instanceof Uint8Array ? { base64: Buffer.from(value).toString("base64") } : value,
  );
}

export function parsePlan(json: string): Plan {
  const plan = JSON.parse(json, (_key, value: unknown) => {
    if (isBase64Box(value)) return new Uint8Array(Buffer.from(value.base64, "base64"));
    return value;
  }) as Plan;
  validatePlan(plan);
  return plan;
}

function isBase64Box(value: unknown): value is { base64: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { base64?: unknown }).base64 === "string"
  );
}
