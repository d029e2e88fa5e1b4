import { certsDirFindings, readCertsDir } from "../docker/certs-dir.ts";
import type { HostFs } from "../host-fs.ts";
import { readInsecureExpiry } from "../insecure-marker.ts";
import { assertRegistryName } from "../registry-name.ts";
import type { InsecureSetting, RuntimeTrustView } from "../types.ts";
import { certDirFor } from "./cert-dirs.ts";
import { crioResolved } from "./crio-resolved.ts";
import {
  findRegistry,
  type RegistriesConf,
  type RegistryEntry,
  readRegistriesConf,
} from "./registries-conf.ts";

export { CONTAINERS_CERT_DIRS, certDirFor } from "./cert-dirs.ts";

export interface CrioTrustOptions {
  /** registries.conf read earlier (node-view caches it). */
  registriesConf?: RegistriesConf;
  /** The containers/image release CRI-O is built with (runtime-go.ts), when its binary says. */
  imageLibraryVersion?: { version: string; source: string } | null;
}

/**
 * What containers/image (CRI-O, podman, skopeo, buildah) trusts for
 * `registry`: the *.crt files of the first existing certs.d/<registry> on top
 * of the system roots; `insecure = true` in registries.conf turns
 * verification off (docker_client.go `newDockerClient`).
 */
export function crioTrustFor(fs: HostFs, registry: string, opts: CrioTrustOptions = {}): RuntimeTrustView {
  assertRegistryName(registry);
  const conf = opts.registriesConf ?? readRegistriesConf(fs);
  const entry = findRegistry(conf, registry);
  const dir = certDirFor(fs, registry);
  const read = readCertsDir(fs, dir, {
    missingKeyHint: "Note that CA certificates should use the extension .crt",
    skipVanishedCrt: true,
  });
  const insecure = entry?.insecure ? insecureSetting(fs, entry) : null;
  const mirrors = entry?.mirrors.map((m) => m.location).filter(Boolean) ?? [];
  const caFiles = read?.caFiles ?? [];
  const summary =
    (caFiles.length > 0
      ? `${caFiles.map((s) => s.path).join(", ")} added to the system roots`
      : `no *.crt in ${dir}; system roots only`) +
    (insecure ? `; ${insecure.setting} in ${insecure.file}: TLS not verified` : "") +
    (entry?.blocked ? `; blocked in ${entry.file}` : "") +
    (mirrors.length > 0 ? `; tries mirrors first: ${mirrors.join(", ")}` : "");
  return {
    runtime: "crio",
    registry,
    usesSystemRoots: true,
    caFiles,
    insecure,
    configFiles: [...conf.files, ...(read ? [dir] : [])],
    findings: [
      ...conf.findings,
      ...(read
        ? certsDirFindings(read, "containers/image (CRI-O, podman)", registry, "no restart needed")
        : []),
    ],
    summary,
    ...(mirrors.length > 0 ? { mirrors } : {}),
    resolved: crioResolved(fs, registry, conf, entry, opts.imageLibraryVersion ?? null),
  };
}

function insecureSetting(fs: HostFs, entry: RegistryEntry): InsecureSetting {
  let expiresAt: string | null = null;
  try {
    expiresAt = readInsecureExpiry(fs.readText(entry.file) ?? "", entry.insecureLine);
  } catch {
    expiresAt = null;
  }
  return {
    file: entry.file,
    line: entry.insecureLine,
    setting: `[[registry]] prefix "${entry.prefix}" insecure = true`,
    expiresAt,
  };
}
