import { finding } from "../findings/finding.ts";
import type { AuditContext } from "./context.ts";

/** containerd's `host_port_` directory form back to `host:port` (hosts.go `hostDirectory`). */
export function registryFromDirName(name: string): string {
  const m = /^(.+)_(\d+)_$/.exec(name);
  return m ? `${m[1]}:${m[2]}` : name;
}

/**
 * Neither containerd nor containers/image normalises default ports: an image
 * `reg.example.com/app` looks only at `reg.example.com` (runtimes.md §1.1;
 * podman#26567). A directory named for :443 is therefore never used unless
 * every image reference spells out :443.
 */
export function checkPortInDirName(ctx: AuditContext, dir: string, registry: string, runtime: string): void {
  if (!registry.endsWith(":443")) return;
  const bare = registry.slice(0, -4);
  ctx.findings.push(
    finding(
      "config-invalid",
      "warning",
      `${runtime} uses ${dir} only for images written as ${registry}/…; images written as ${bare}/… (the usual form) never look at it, because default ports are not normalised.`,
      {
        file: dir,
        contexts: [runtime],
        fix: [`mv ${dir} ${dir.replace(/[^/]+$/, bare)}   # if your image references have no port`],
      },
    ),
  );
}
