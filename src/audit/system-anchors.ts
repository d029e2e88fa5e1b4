import { HostFsError } from "../node/host-fs.ts";
import type { SystemStore } from "../node/types.ts";
import { auditCaFile } from "./ca-files.ts";
import type { AuditContext } from "./context.ts";

/**
 * CA files an operator dropped into the distro's anchor directory
 * (runtimes.md §5.2). Debian's update-ca-certificates reads only *.crt and
 * concatenates a DER file into the bundle as-is, where Go skips it; RHEL's
 * update-ca-trust (p11-kit) accepts PEM or DER.
 */
export function auditSystemAnchors(ctx: AuditContext, store: SystemStore): void {
  const dir = store.anchorDir;
  if (dir === null) return;
  const debianStyle = store.distro.family === "debian" || store.distro.family === "alpine";
  for (const path of anchorFiles(ctx, dir)) {
    if (debianStyle && !path.endsWith(".crt")) continue;
    auditCaFile(ctx, {
      path,
      declaredIn: null,
      runtime: "system",
      registry: "every registry",
      origin: "OS trust anchor",
      acceptsDer: !debianStyle,
    });
  }
}

/** Files under the anchor directory; Debian also searches subdirectories. */
function anchorFiles(ctx: AuditContext, dir: string, depth = 0): string[] {
  let names: string[];
  try {
    names = ctx.fs.readDir(dir) ?? [];
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    return [];
  }
  return names.flatMap((name) => {
    const path = `${dir}/${name}`;
    const kind = safeKind(ctx, path);
    if (kind === "dir") return depth < 4 ? anchorFiles(ctx, path, depth + 1) : [];
    return kind === "file" ? [path] : [];
  });
}

function safeKind(ctx: AuditContext, path: string): string | null {
  try {
    return ctx.fs.stat(path)?.kind ?? null;
  } catch {
    return null;
  }
}
