import { newPlan, type PlanCommand, writeOwnedFile } from "../../plan/plan.ts";
import {
  actionOf,
  type ContextPlan,
  managedHeader,
  registryFileStem,
  type TrustChange,
} from "../ca-install.ts";
import { certsDirCaWrite } from "../certs-dir-plan.ts";
import type { HostFs } from "../host-fs.ts";
import { insecureMarkerComment } from "../insecure-marker.ts";
import { assertRegistryName } from "../registry-name.ts";
import { CONTAINERS_CERT_DIRS } from "./containers.ts";
import { readRegistriesConf } from "./registries-conf.ts";

const USER_REGISTRIES_CONF = "/root/.config/containers/registries.conf";
const DROP_IN_DIR = "/etc/containers/registries.conf.d";
const CRIO_EVIDENCE = ["/etc/crio", "/usr/bin/crio", "/usr/local/bin/crio"];

/**
 * containers/image's part (CRI-O, podman, skopeo, buildah). Trust: a CA file
 * in the per-host certs directory it will actually read — the first existing
 * of ~root/.config, /etc/containers and /etc/docker certs.d, never merged
 * (docker_client.go `dockerCertDir`) — else /etc/containers/certs.d. Read when
 * a client is created: no restart. Insecure: a `[[registry]] insecure = true`
 * drop-in regtrust owns; CRI-O reloads registries.conf on SIGHUP.
 */
export function planContainersTrust(fs: HostFs, registry: string, change: TrustChange): ContextPlan {
  assertRegistryName(registry);
  const plan = newPlan(registry, actionOf(change));
  if (change.kind === "trust") {
    const dir = certDirFor(fs, registry);
    const reason = `containers/image (CRI-O, podman, skopeo) adds the CA to its pool for ${registry} (no restart)`;
    const write = certsDirCaWrite(fs, dir, change.ca, reason, change.replace);
    if (write) plan.changes.push(write);
    return { context: "crio", plan, restartUnit: null, refusal: null };
  }
  const refusal = insecureRefusal(fs, registry);
  if (refusal) return { context: "crio", plan, restartUnit: null, refusal };
  const path = `${DROP_IN_DIR}/99-regtrust-${registryFileStem(registry)}.conf`;
  const text =
    `${managedHeader(`EMERGENCY insecure override for ${registry}`, registry)}\n` +
    `[[registry]]\nlocation = "${registry}"\n${insecureMarkerComment(change.expiresAt)}\ninsecure = true\n`;
  plan.changes.push(
    writeOwnedFile(
      path,
      text,
      `EMERGENCY: containers/image skips TLS verification for ${registry} until ${change.expiresAt.toISOString()}`,
    ),
  );
  if (!CRIO_EVIDENCE.some((p) => exists(fs, p)))
    return { context: "crio", plan, restartUnit: null, refusal: null };
  plan.commands.push(reloadCrio(path));
  return { context: "crio", plan, restartUnit: "crio", restartFile: path, refusal: null };
}

function certDirFor(fs: HostFs, registry: string): string {
  const found = CONTAINERS_CERT_DIRS.map((root) => `${root}/${registry}`).find((dir) => exists(fs, dir));
  return found ?? `/etc/containers/certs.d/${registry}`;
}

/** A drop-in is safe unless it is not read, or would replace an entry with settings of its own. */
function insecureRefusal(fs: HostFs, registry: string): ContextPlan["refusal"] {
  const manualLine = `[[registry]]\nlocation = "${registry}"\ninsecure = true`;
  if (exists(fs, USER_REGISTRIES_CONF)) {
    return {
      reason: `${USER_REGISTRIES_CONF} exists, so drop-ins in ${DROP_IN_DIR} are not read`,
      manual: [`Add to ${USER_REGISTRIES_CONF}:`, ...manualLine.split("\n")],
    };
  }
  const conf = readRegistriesConf(fs);
  if (conf.findings.length > 0) {
    return { reason: conf.findings[0]!.message, manual: conf.findings[0]!.fix };
  }
  const entry = conf.registries.find((e) => e.prefix === registry);
  if (entry && (entry.mirrors.length > 0 || entry.blocked || entry.location !== registry)) {
    return {
      reason: `${entry.file} has its own [[registry]] entry for ${registry}; a drop-in would replace it (mirrors, blocked, location)`,
      manual: [
        `Set insecure = true in that entry of ${entry.file}${entry.line ? ` (line ${entry.line})` : ""}`,
      ],
    };
  }
  return null;
}

function reloadCrio(reads: string): PlanCommand {
  return {
    kind: "restart",
    argv: ["systemctl", "reload", "crio"],
    unit: "crio",
    reads,
    reason: "CRI-O re-reads registries.conf on reload (SIGHUP)",
  };
}

function exists(fs: HostFs, path: string): boolean {
  try {
    return fs.exists(path);
  } catch {
    return false;
  }
}
