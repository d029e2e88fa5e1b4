import { join } from "node:path";
import { restartFinding } from "../diagnose/pending-findings.ts";
import type { Finding } from "../findings/finding.ts";
import { CONTAINERD_CONFIG } from "../node/containerd/config.ts";
import type { HostFs } from "../node/host-fs.ts";
import { immutableOsFindings } from "../node/immutable-os.ts";
import { pendingRestarts } from "../node/pending-restart.ts";
import { readSystemStore } from "../node/system/system-store.ts";
import { RUNTIME_NAMES, type RuntimeName } from "../node/types.ts";
import type { Journal } from "../plan/journal.ts";
import { auditContainerd, mainContainerdTarget } from "./containerd-audit.ts";
import { auditContainers } from "./containers-audit.ts";
import type { AuditContext } from "./context.ts";
import { auditDocker } from "./docker-audit.ts";
import { auditK3s } from "./k3s-audit.ts";
import { auditOsBundle } from "./os-bundle.ts";
import { auditStaleTrust } from "./stale-trust.ts";
import { auditSystemAnchors } from "./system-anchors.ts";

export interface AuditOptions {
  /** Runtimes to audit; default: all (each audits only the files present). */
  runtimes?: RuntimeName[];
  now: Date;
  /** A CA expiring within this many days is a warning. */
  expiringDays: number;
  /** Host path of the node's /proc; default `<root>/proc`. */
  procRoot?: string;
  /** regtrust's journal (readJournalAt), for the expiry of insecure overrides it set. */
  journal?: Journal | null;
}

export interface AuditReport {
  schemaVersion: 1;
  root: string;
  findings: Finding[];
  summary: { error: number; warning: number; info: number };
  /** Every registry name any runtime config on the node mentions, sorted. */
  registries: string[];
}

/**
 * `regtrust audit`: every insecure setting, broken CA file and config trap
 * for every registry configured on the node, read-only. Unparseable files
 * are findings (the readers return them), never exceptions.
 */
export function auditNode(fs: HostFs, opts: AuditOptions): AuditReport {
  const runtimes = new Set<RuntimeName>(opts.runtimes ?? RUNTIME_NAMES);
  const ctx: AuditContext = {
    fs,
    now: opts.now,
    expiringDays: opts.expiringDays,
    journal: opts.journal ?? null,
    findings: [],
    registries: new Set(),
    checkedCaFiles: new Set(),
  };
  if (runtimes.has("containerd")) auditContainerd(ctx, mainContainerdTarget(ctx));
  if (runtimes.has("docker")) auditDocker(ctx);
  if (runtimes.has("crio")) auditContainers(ctx, runtimes.has("docker") ? ["/etc/docker/certs.d"] : []);
  if (runtimes.has("k3s")) auditK3s(ctx, "k3s");
  if (runtimes.has("rke2")) auditK3s(ctx, "rke2");
  const store = readSystemStore(fs);
  auditSystemAnchors(ctx, store);
  auditOsBundle(ctx, store);
  ctx.findings.push(...immutableOsFindings(store.distro, null));
  auditStaleTrust(ctx, store, opts.procRoot ?? join(fs.root, "proc"), runtimes);
  auditPendingRestarts(ctx, runtimes, opts.procRoot);
  const findings = sortFindings(dedupe(ctx.findings));
  return {
    schemaVersion: 1,
    root: fs.root,
    findings,
    summary: {
      error: findings.filter((f) => f.severity === "error").length,
      warning: findings.filter((f) => f.severity === "warning").length,
      info: findings.filter((f) => f.severity === "info").length,
    },
    registries: [...ctx.registries].sort(),
  };
}

/** Restarts regtrust left to run (journal), judged against the running daemons, as `diagnose` reports them. */
function auditPendingRestarts(
  ctx: AuditContext,
  runtimes: ReadonlySet<RuntimeName>,
  procRoot?: string,
): void {
  const pending = pendingRestarts({
    root: ctx.fs.root,
    journal: ctx.journal,
    containerdConfig: CONTAINERD_CONFIG,
    ...(procRoot ? { procRoot } : {}),
  });
  for (const restart of pending)
    if (runtimes.has(restart.context)) ctx.findings.push(restartFinding(restart));
}

/** The same problem reached from two readers (e.g. a config finding re-read) is reported once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\u0000${f.file ?? ""}\u0000${f.line ?? ""}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Errors first, then by file and line, so output is stable across runs. */
function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.file ?? "").localeCompare(b.file ?? "") ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.code.localeCompare(b.code),
  );
}

/** Exit status for `regtrust audit`: 1 on errors, or on warnings too with `--strict`. */
export function auditExitCode(report: AuditReport, strict: boolean): number {
  if (report.summary.error > 0) return 1;
  return strict && report.summary.warning > 0 ? 1 : 0;
}
