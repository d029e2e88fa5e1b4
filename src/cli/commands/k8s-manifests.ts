import { EXIT, UsageError } from "../../core/errors.ts";
import { resolveImage } from "../../k8s/manifests/image.ts";
import { type ManifestOptions, renderManifests } from "../../k8s/manifests/manifests.ts";
import { assertRegistryName } from "../../node/registry-name.ts";
import { toPem } from "../../pki/read-bundle.ts";
import { parseTarget } from "../../target/parse-target.ts";
import { checkCaCertificates, readCaFile } from "../../trust/ca-file.ts";
import type { Io } from "../io.ts";

export interface K8sManifestsFlags {
  registry: string[];
  ca: string;
  mode?: string;
  image?: string;
  namespace?: string;
  restart?: boolean;
  /** false with --no-admission-policy. */
  admissionPolicy?: boolean;
  gate?: string;
  gateMode?: string;
  monitoring?: boolean;
}

/** Prints the agent's manifests; exit 2 (nothing printed) on a bad CA file or flag. */
export function runK8sManifests(flags: K8sManifestsFlags, io: Io): number {
  const mode = flags.mode ?? "report";
  if (mode !== "report" && mode !== "enforce") {
    throw new UsageError(`--mode ${mode}: expected "report" or "enforce"`);
  }
  if (flags.restart && mode !== "enforce") {
    throw new UsageError(
      "--restart needs --mode enforce: in report mode the agent changes nothing to restart for",
    );
  }
  const namespace = flags.namespace ?? "regtrust";
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new UsageError(`--namespace ${namespace}: not a namespace name (DNS-1123 label)`);
  }
  if (flags.registry.length === 0) {
    // An agent with no registry checks nothing and reports every node Ready (issue #17 item 8).
    throw new UsageError(
      "--registry is required: name each registry host[:port] the nodes must trust (repeatable)",
    );
  }
  const gate = gateOf(flags);
  const image = resolveImage(flags.image, io.env);
  // The agent validates its config with the same parser (agent/agent-config.ts): a registry accepted
  // here never makes the DaemonSet crash-loop on start.
  const registries = flags.registry.map((host) => {
    try {
      const { registry } = parseTarget(host);
      assertRegistryName(registry);
      return registry;
    } catch (error) {
      throw new UsageError(`--registry ${host}: ${(error as Error).message}`);
    }
  });
  // Checked like `regtrust trust --ca` (anchors only, not expired) before anything is printed;
  // DER and PKCS#7 are written to the ConfigMap as PEM.
  const certs = readCaFile(flags.ca, io.env);
  checkCaCertificates(certs, `--ca ${flags.ca}`, new Date());
  const caPem = toPem(certs);
  io.stdout.write(
    renderManifests({
      registries,
      caPem,
      mode,
      image,
      namespace,
      restart: flags.restart === true,
      admissionPolicy: flags.admissionPolicy !== false,
      ...(gate ? { gate } : {}),
      ...(flags.monitoring ? { monitoring: true } : {}),
    }),
  );
  return EXIT.ok;
}

/** --gate nrc|agent and --gate-mode bootstrap-only|continuous (docs/gating.md). */
function gateOf(flags: K8sManifestsFlags): ManifestOptions["gate"] {
  if (flags.gate === undefined) {
    if (flags.gateMode !== undefined) throw new UsageError("--gate-mode needs --gate nrc or --gate agent");
    return undefined;
  }
  if (flags.gate !== "nrc" && flags.gate !== "agent") {
    throw new UsageError(
      `--gate ${flags.gate}: expected "nrc" (a NodeReadinessRule for the Node Readiness Controller) or "agent" (the agent removes the taint itself)`,
    );
  }
  const mode = flags.gateMode ?? "bootstrap-only";
  if (mode !== "bootstrap-only" && mode !== "continuous") {
    throw new UsageError(`--gate-mode ${mode}: expected "bootstrap-only" or "continuous"`);
  }
  if (flags.gate === "agent" && flags.admissionPolicy === false) {
    throw new UsageError(
      "--gate agent needs the admission policy: without it the agent's ServiceAccount could change any taint on any Node",
    );
  }
  return { by: flags.gate, mode };
}
