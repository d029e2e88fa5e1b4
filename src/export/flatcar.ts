import { basename } from "node:path";
import type { ExportPlan } from "./export-plan.ts";
import { type PlannedFile, trustFilesOf } from "./trust-files.ts";

/** Ignition config spec this renders: 3.3.0 is read by Flatcar's Ignition and checked by Debian's ignition-validate 2.14. */
export const IGNITION_SPEC = "3.3.0";

/** Flatcar's documented store: PEM files in /etc/ssl/certs, then update-ca-certificates (flatcar docs, adding-certificate-authorities). */
const FLATCAR_CERTS_DIR = "/etc/ssl/certs";
const CA_UNIT = "regtrust-update-ca-certificates.service";

/**
 * The plan as an Ignition config for Flatcar Container Linux: the OS store
 * anchor (as a .pem in /etc/ssl/certs), containerd's certs.d files for the
 * registry, and a oneshot unit that runs update-ca-certificates before
 * containerd starts (Go reads the system roots once per process).
 * Ignition writes files only on first boot; `overwrite` stays false, so a
 * file the image already has fails provisioning instead of being replaced.
 */
export function flatcarIgnition(exported: ExportPlan): string {
  const { osAnchor, registryFiles } = trustFilesOf(exported);
  const files: PlannedFile[] = [...registryFiles];
  if (osAnchor !== null) {
    const name = basename(osAnchor.path).replace(/\.crt$/, ".pem");
    files.unshift({ ...osAnchor, path: `${FLATCAR_CERTS_DIR}/${name}` });
  }
  const config: Record<string, unknown> = {
    ignition: { version: IGNITION_SPEC },
    storage: { files: files.map(ignitionFile) },
  };
  if (osAnchor !== null) {
    config.systemd = { units: [{ name: CA_UNIT, enabled: true, contents: caUnit(exported.plan.target) }] };
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}

function ignitionFile(file: PlannedFile): Record<string, unknown> {
  return {
    path: file.path,
    mode: file.mode,
    contents: { source: `data:;base64,${Buffer.from(file.content).toString("base64")}` },
  };
}

function caUnit(registry: string): string {
  return [
    "[Unit]",
    `Description=regtrust: add the CA of ${registry} to the OS bundle`,
    "Before=containerd.service docker.service",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    "ExecStart=/usr/sbin/update-ca-certificates",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
