import { stringify } from "yaml";
import { UsageError } from "../core/errors.ts";
import type { ExportPlan } from "./export-plan.ts";
import { objectNameFor } from "./gate.ts";
import { registryCaOf, trustFilesOf } from "./trust-files.ts";

/**
 * Talos machine configuration. Talos ≥ 1.12 has the `RegistryTLSConfig`
 * document (name = registry endpoint host[:port], `ca` PEM; siderolabs/talos
 * pkg/machinery/config/types/cri/registry_tls.go, added in v1.12.0); before
 * it, the v1alpha1 `machine.registries.config.<host>.tls.ca` (base64 PEM,
 * Base64Bytes in v1alpha1_types.go). `TrustedRootsConfig` (`certificates`
 * PEM; pkg/machinery/config/types/security/trusted_roots.go, in the config
 * schema from v1.8.0) adds the CA to the OS trust. With no version given, both variants are printed, each
 * under a comment saying which releases take it.
 */
/** documents: ≥ 1.12; legacy: 1.8–1.11 (patch + TrustedRootsConfig); patch-only: < 1.8; both: version unknown. */
export type TalosVariant = "documents" | "legacy" | "patch-only" | "both";

export function talosVariant(version: string | undefined): TalosVariant {
  if (version === undefined) return "both";
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  if (!m) throw new UsageError(`--talos-version "${version}" is not a Talos release like 1.12 or v1.11.6`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major > 1 || (major === 1 && minor >= 12)) return "documents";
  return major === 1 && minor >= 8 ? "legacy" : "patch-only";
}

export function talosConfig(exported: ExportPlan, variant: TalosVariant): string {
  const files = trustFilesOf(exported);
  const { registry, osAnchor } = files;
  const caPem = registryCaOf(files).content;
  const name = objectNameFor(registry);
  const roots =
    osAnchor && variant !== "patch-only"
      ? { apiVersion: "v1alpha1", kind: "TrustedRootsConfig", name, certificates: osAnchor.content }
      : null;
  const out: string[] = [];
  if (variant === "documents" || variant === "both") {
    out.push(
      `# Talos >= 1.12: per-registry CA (RegistryTLSConfig)${roots ? " and OS trust (TrustedRootsConfig)" : ""}.\n`,
    );
    out.push(doc({ apiVersion: "v1alpha1", kind: "RegistryTLSConfig", name: registry, ca: caPem }));
    if (roots) out.push(doc(roots));
  }
  if (variant !== "documents") {
    const rootsNote =
      variant === "both" && roots ? " The TrustedRootsConfig above works from Talos 1.8." : "";
    out.push(
      `# Talos < 1.12: a machine config patch (talosctl patch mc --patch @file) for the per-registry CA.${rootsNote}\n`,
    );
    const patch = { machine: { registries: { config: { [registry]: { tls: { ca: base64(caPem) } } } } } };
    out.push(doc(patch));
    if (roots && variant === "legacy") {
      out.push("# Talos 1.8 to 1.11: the OS trust, as a TrustedRootsConfig document.\n");
      out.push(doc(roots));
    }
  }
  const header = `# regtrust: the CA of ${registry} for Talos machine config (talosctl apply-config / patch).\n`;
  return header + joinDocuments(out);
}

function doc(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

function base64(text: string): string {
  return Buffer.from(text).toString("base64");
}

/** Comments belong to the document that follows them; documents are separated by `---`. */
function joinDocuments(parts: string[]): string {
  const docs: string[] = [];
  let pending = "";
  for (const part of parts) {
    if (part.startsWith("# ")) pending += part;
    else {
      docs.push(pending + part);
      pending = "";
    }
  }
  return docs.join("---\n");
}
