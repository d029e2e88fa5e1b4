import { stringify as tomlStringify } from "smol-toml";
import type { ExportPlan } from "./export-plan.ts";
import { objectNameFor } from "./gate.ts";
import { trustFilesOf } from "./trust-files.ts";

/**
 * Bottlerocket settings TOML (user-data, or `apiclient set` on a node):
 * `settings.pki.<bundle>` with `data` = the base64 PEM bundle and
 * `trusted = true` (bottlerocket.dev, settings → pki; `trusted` defaults to
 * false). Bottlerocket has no per-registry CA: settings.container-registry
 * has mirrors and credentials only, so the CA is trusted OS-wide.
 */
export function bottlerocketSettings(exported: ExportPlan): string {
  const { osAnchor, registry } = trustFilesOf(exported);
  if (osAnchor === null) throw new Error("bottlerocket: the plan has no OS store anchor (runtime system)");
  const bundle = objectNameFor(registry);
  const settings = {
    settings: {
      pki: { [bundle]: { data: Buffer.from(osAnchor.content).toString("base64"), trusted: true } },
    },
  };
  const header = [
    `regtrust: the CA of ${registry} for Bottlerocket, as settings TOML (user-data or apiclient set).`,
    "Bottlerocket trust is OS-wide only: there is no per-registry CA setting, so this CA is trusted for every",
    "TLS connection the host and containerd make, not only for this registry.",
  ];
  return `${header.map((h) => `# ${h}\n`).join("")}${tomlStringify(settings).trimEnd()}\n`;
}
