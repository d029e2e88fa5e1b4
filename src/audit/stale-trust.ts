import { finding } from "../findings/finding.ts";
import { readRuntimeProcesses } from "../node/runtime-processes.ts";
import type { SystemStore } from "../node/types.ts";
import type { AuditContext } from "./context.ts";

/**
 * Go loads the OS trust store once per process (crypto/x509 root.go
 * `sync.Once`), so a bundle changed after a runtime started is not what that
 * runtime trusts until it restarts (runtimes.md §1.5).
 */
export function auditStaleTrust(
  ctx: AuditContext,
  store: SystemStore,
  procRoot: string,
  runtimes: ReadonlySet<string>,
): void {
  const processes = (readRuntimeProcesses(procRoot) ?? []).filter((p) => runtimes.has(p.runtime));
  if (processes.length === 0) return;
  const changed = newestStoreChange(ctx, store);
  if (changed === null) return;
  for (const p of processes) {
    if (changed.mtimeMs <= p.startedAt.getTime()) continue;
    const at = new Date(changed.mtimeMs).toISOString();
    ctx.findings.push(
      finding(
        "stale-trust",
        "warning",
        `${p.comm} (pid ${p.pid}) started at ${p.startedAt.toISOString()}, before the OS trust store changed (${changed.path} at ${at}); it still uses the CA list it loaded at start, so newly added CAs are not trusted by it yet.`,
        {
          file: changed.path,
          contexts: [p.runtime],
          evidence: [`${p.comm} start: ${p.startedAt.toISOString()}`, `${changed.path} modified: ${at}`],
          fix: [restartFor(p.runtime)],
        },
      ),
    );
  }
}

function newestStoreChange(ctx: AuditContext, store: SystemStore): { path: string; mtimeMs: number } | null {
  const paths = [store.bundle?.path, ...store.dirFiles.map((f) => f.path)].filter((p): p is string => !!p);
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const path of paths) {
    try {
      const st = ctx.fs.stat(path);
      if (st && (newest === null || st.mtimeMs > newest.mtimeMs)) newest = { path, mtimeMs: st.mtimeMs };
    } catch {
      // An unreadable store file is reported elsewhere, if at all.
    }
  }
  return newest;
}

function restartFor(runtime: string): string {
  if (runtime === "docker") return "systemctl restart docker";
  if (runtime === "rke2") return "systemctl restart rke2-server   # or rke2-agent";
  return `systemctl restart ${runtime}`;
}
