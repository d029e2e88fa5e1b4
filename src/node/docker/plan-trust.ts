import { editFile, newPlan, type PlanCommand } from "../../plan/plan.ts";
import { actionOf, type ContextPlan, type TrustChange } from "../ca-install.ts";
import { certsDirCaWrite } from "../certs-dir-plan.ts";
import type { HostFs } from "../host-fs.ts";
import { assertRegistryName } from "../registry-name.ts";
import { DAEMON_JSON, readDaemonJson } from "./daemon-json.ts";
import { DOCKER_CERTS_D } from "./docker.ts";

/**
 * dockerd's part. Trust: a CA file in /etc/docker/certs.d/<registry>/, read
 * on every pull, so no restart (runtimes.md §2). Insecure: the registry in
 * daemon.json `insecure-registries`, which dockerd reloads on SIGHUP
 * (`systemctl reload docker`, daemon/reload.go) — no container restarts.
 * JSON has no comments, so the expiry lives in regtrust's journal only.
 */
export function planDockerTrust(fs: HostFs, registry: string, change: TrustChange): ContextPlan {
  assertRegistryName(registry);
  const plan = newPlan(registry, actionOf(change));
  if (change.kind === "trust") {
    const write = certsDirCaWrite(
      fs,
      `${DOCKER_CERTS_D}/${registry}`,
      change.ca,
      `dockerd adds the CA to its pool for ${registry} (read on every pull, no restart)`,
      change.replace,
    );
    if (write) plan.changes.push(write);
    return { context: "docker", plan, restartUnit: null, refusal: null };
  }
  const daemon = readDaemonJson(fs);
  if (!daemon.valid) {
    const refusal = {
      reason: `${DAEMON_JSON} does not parse; fix it first`,
      manual: daemon.findings[0]?.fix ?? [],
    };
    return { context: "docker", plan, restartUnit: null, refusal };
  }
  const text = fs.readText(DAEMON_JSON);
  const after = withInsecureRegistry(text, registry);
  if (after === null) {
    return {
      context: "docker",
      plan,
      restartUnit: null,
      refusal: {
        reason: `"insecure-registries" in ${DAEMON_JSON} is not a list`,
        manual: [
          `Add "${registry}" to "insecure-registries" in ${DAEMON_JSON}, then: systemctl reload docker`,
        ],
      },
    };
  }
  const reason = `EMERGENCY: dockerd skips TLS verification for ${registry} until ${change.expiresAt.toISOString()}`;
  plan.changes.push(editFile(DAEMON_JSON, text, after, reason));
  plan.commands.push(reloadDocker());
  plan.notes.push(
    `${DAEMON_JSON} cannot hold comments: the expiry of the docker override is recorded in regtrust's journal`,
  );
  return { context: "docker", plan, restartUnit: "docker", restartFile: DAEMON_JSON, refusal: null };
}

/** SIGHUP reloads insecure-registries without stopping containers (the same unit as a restart). */
function reloadDocker(): PlanCommand {
  return {
    kind: "restart",
    argv: ["systemctl", "reload", "docker"],
    unit: "docker",
    reads: DAEMON_JSON,
    reason: "dockerd re-reads insecure-registries on reload",
  };
}

/** daemon.json with the registry added; keys and their order kept, indentation as found. Null if not a list. */
export function withInsecureRegistry(text: string | null, registry: string): string | null {
  if (text === null || text.trim() === "")
    return `${JSON.stringify({ "insecure-registries": [registry] }, null, 2)}\n`;
  const json = JSON.parse(text) as Record<string, unknown>;
  const current = json["insecure-registries"] ?? [];
  if (!Array.isArray(current)) return null;
  if (current.includes(registry)) return text;
  json["insecure-registries"] = [...current, registry];
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? "  ";
  return `${JSON.stringify(json, null, indent)}\n`;
}
