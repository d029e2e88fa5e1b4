import { DAEMON_JSON, readDaemonJson } from "../node/docker/daemon-json.ts";
import { DOCKER_CERTS_D } from "../node/docker/docker.ts";
import { auditCertsDirRoot } from "./certs-dir-audit.ts";
import type { AuditContext } from "./context.ts";
import { insecureFinding } from "./insecure.ts";

/** dockerd: daemon.json `insecure-registries` and /etc/docker/certs.d (runtimes.md §2). */
export function auditDocker(ctx: AuditContext): void {
  const daemon = readDaemonJson(ctx.fs, DAEMON_JSON);
  ctx.findings.push(...daemon.findings.map((f) => ({ ...f, contexts: ["docker"] })));
  for (const entry of daemon.insecureRegistries) {
    ctx.registries.add(entry.value);
    ctx.findings.push(
      insecureFinding(ctx, {
        runtime: "docker",
        registry: entry.value,
        file: daemon.path,
        line: entry.line,
        setting: `"insecure-registries": ["${entry.raw}"]`,
        effect: `ignores TLS errors and falls back to plain HTTP${entry.kind === "cidr" ? " for every registry in that network" : ""}`,
        text: null,
        fix: [
          `Remove "${entry.raw}" from insecure-registries in ${daemon.path}, then: systemctl reload docker`,
          `regtrust trust ${entry.value} --ca <ca.pem>`,
        ],
      }),
    );
  }
  auditCertsDirRoot(ctx, DOCKER_CERTS_D, "docker", "no restart needed");
}
