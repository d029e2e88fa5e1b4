import { CONTAINERS_CERT_DIRS } from "../node/containers/containers.ts";
import { readRegistriesConf } from "../node/containers/registries-conf.ts";
import { auditCertsDirRoot } from "./certs-dir-audit.ts";
import type { AuditContext } from "./context.ts";
import { insecureFinding } from "./insecure.ts";

/** CRI-O / podman / skopeo: registries.conf (+ drop-ins) and the containers certs.d roots (runtimes.md §3). */
/** `skipRoots`: roots another runtime's audit already walks (/etc/docker/certs.d when docker is audited). */
export function auditContainers(ctx: AuditContext, skipRoots: readonly string[] = []): void {
  const conf = readRegistriesConf(ctx.fs);
  ctx.findings.push(...conf.findings.map((f) => ({ ...f, contexts: ["crio"] })));
  const texts = new Map(conf.files.map((f) => [f, readText(ctx, f)]));
  for (const entry of conf.registries) {
    ctx.registries.add(entry.location || entry.prefix);
    const sites = [
      ...(entry.insecure ? [{ name: entry.location || entry.prefix, line: entry.insecureLine }] : []),
      ...entry.mirrors.filter((m) => m.insecure).map((m) => ({ name: m.location, line: entry.line })),
    ];
    for (const site of sites) {
      ctx.findings.push(
        insecureFinding(ctx, {
          runtime: "crio",
          registry: site.name,
          file: entry.file,
          line: site.line,
          setting: "insecure = true",
          effect: "skips TLS verification and allows plain HTTP",
          text: texts.get(entry.file) ?? null,
          fix: [
            `Remove insecure = true from ${entry.file}, then: systemctl reload crio`,
            `regtrust trust ${site.name} --ca <ca.pem>`,
          ],
        }),
      );
    }
  }
  for (const root of CONTAINERS_CERT_DIRS.filter((r) => !skipRoots.includes(r)))
    auditCertsDirRoot(ctx, root, "crio", "no restart needed");
}

function readText(ctx: AuditContext, file: string): string | null {
  try {
    return ctx.fs.readText(file);
  } catch {
    return null;
  }
}
