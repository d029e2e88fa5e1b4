import { readFileSync } from "node:fs";
import { EXIT, InputError, UsageError } from "../../core/errors.ts";
import { defaultImage } from "../../k8s/image.ts";
import { renderManifests } from "../../k8s/manifests.ts";
import { checkCaCertificates, readCaFile } from "../../trust/ca-file.ts";
import type { Io } from "../io.ts";

export interface K8sManifestsFlags {
  registry: string[];
  ca: string;
  mode?: string;
  image?: string;
  namespace?: string;
}

/** Prints the agent's manifests; exit 2 (nothing printed) on a bad CA file or flag. */
export function runK8sManifests(flags: K8sManifestsFlags, io: Io): number {
  const mode = flags.mode ?? "report";
  if (mode !== "report" && mode !== "enforce") {
    throw new UsageError(`--mode ${mode}: expected "report" or "enforce"`);
  }
  const namespace = flags.namespace ?? "regtrust";
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new UsageError(`--namespace ${namespace}: not a namespace name (DNS-1123 label)`);
  }
  for (const host of flags.registry) {
    if (!/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/.test(host))
      throw new UsageError(`--registry ${host}: expected HOST[:PORT]`);
  }
  // Checked like `regtrust trust --ca` (anchors only, not expired) before anything is printed.
  checkCaCertificates(readCaFile(flags.ca, io.env), `--ca ${flags.ca}`, new Date());
  const caPem = readFileSync(flags.ca, "utf8");
  if (!caPem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new InputError(
      `--ca ${flags.ca}: the ConfigMap needs a PEM file (convert DER/PKCS#7 to PEM first)`,
    );
  }
  io.stdout.write(
    renderManifests({
      registries: flags.registry,
      caPem,
      mode,
      image: flags.image ?? defaultImage(),
      namespace,
    }),
  );
  return EXIT.ok;
}
