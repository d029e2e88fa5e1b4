import { UsageError } from "../core/errors.ts";
import { type Finding, finding } from "../findings/finding.ts";
import type { DistroInfo } from "./types.ts";

/**
 * Container node OSes whose trust is set at provisioning, not by editing the
 * running node. os-release IDs as the OSes ship them: `ID=talos`
 * (siderolabs/talos pkg/machinery/version/os-release), `ID=bottlerocket`
 * (bottlerocket-os/bottlerocket, os-release written by the release package),
 * `ID=flatcar` (Flatcar Container Linux).
 */
export interface ImmutableOs {
  id: "talos" | "bottlerocket" | "flatcar";
  name: string;
  /** Whether `regtrust trust` can write the node's /etc (Talos: read-only; Bottlerocket: settings API only). */
  etcWritable: boolean;
  /** The `regtrust export --format` that carries the fix into the OS's own configuration. */
  exportFormat: string;
  /** Where that configuration goes. */
  configuredBy: string;
}

const IMMUTABLE_OSES: readonly ImmutableOs[] = [
  {
    id: "talos",
    name: "Talos Linux",
    etcWritable: false,
    exportFormat: "talos",
    configuredBy: "the machine config (talosctl apply-config / patch)",
  },
  {
    id: "bottlerocket",
    name: "Bottlerocket",
    etcWritable: false,
    exportFormat: "bottlerocket",
    configuredBy: "settings (user-data or apiclient set); trust is OS-wide only",
  },
  {
    id: "flatcar",
    name: "Flatcar Container Linux",
    etcWritable: true,
    exportFormat: "flatcar",
    configuredBy: "the Ignition config of new nodes",
  },
];

export function immutableOsOf(distro: DistroInfo): ImmutableOs | null {
  return IMMUTABLE_OSES.find((os) => os.id === distro.id) ?? null;
}

export function exportCommandFor(os: ImmutableOs, registry: string): string {
  return `regtrust export ${registry} --ca FILE --format ${os.exportFormat}`;
}

/** diagnose/audit: say which OS this is and where its trust is configured. */
export function immutableOsFindings(distro: DistroInfo, registry: string | null): Finding[] {
  const os = immutableOsOf(distro);
  if (os === null) return [];
  const writes = os.etcWritable
    ? "regtrust trust can write containerd's files here, but the OS store and new nodes are configured by"
    : "/etc is not writable here, so regtrust trust cannot fix this node; trust is configured by";
  return [
    finding("immutable-os", "info", `${distro.prettyName ?? os.name}: ${writes} ${os.configuredBy}.`, {
      evidence: [`os-release ID=${distro.id}`],
      fix: [exportCommandFor(os, registry ?? "REGISTRY")],
    }),
  ];
}

/** trust on Talos or Bottlerocket: refuse (exit 2) before planning, naming the export to use. */
export function refuseReadOnlyNode(distro: DistroInfo, registry: string): void {
  const os = immutableOsOf(distro);
  if (os === null || os.etcWritable) return;
  throw new UsageError(
    `this node runs ${distro.prettyName ?? os.name}, whose /etc regtrust cannot change; ` +
      `put the CA into ${os.configuredBy}: ${exportCommandFor(os, registry)}`,
  );
}
