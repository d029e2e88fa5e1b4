import { readCertsDir } from "../docker/certs-dir.ts";
import type { HostFs } from "../host-fs.ts";
import type { ResolvedEndpointView, ResolvedView } from "../types.ts";
import { certDirFor } from "./cert-dirs.ts";
import { pullSources } from "./pull-sources.ts";
import type { RegistriesConf, RegistryEntry } from "./registries-conf.ts";

/**
 * containers/image's endpoints for a registry (CRI-O, podman, skopeo): the
 * registries.conf entry's pull sources in order, each with the certs.d
 * directory of its own host. The repository is unknown here, so rewrites are
 * shown for `<registry>/<repository>`.
 */
export function crioResolved(
  fs: HostFs,
  registry: string,
  conf: RegistriesConf,
  entry: RegistryEntry | null,
  version: { version: string; source: string } | null = null,
): ResolvedView {
  // One rule set is proven (test/oracle: containers/image 5.23); the version CRI-O's binary records is reported
  // beside it, and the rules are "assumed" only when no version could be read.
  const rules = {
    runtimeVersion: version?.version ?? null,
    versionSource: version?.source ?? null,
    rules: "containers/image 5.23",
    assumed: version === null,
  };
  const filesRead = conf.files;
  const ref = `${registry}/repository`;
  const pulled = entry ? pullSources(entry, ref) : { sources: [{ reference: ref, insecure: false }] };
  if ("error" in pulled) return { rules, filesRead, endpoints: [], error: pulled.error };
  const endpoints = pulled.sources.map((source, i): ResolvedEndpointView => {
    const host = source.reference.slice(0, source.reference.indexOf("/"));
    const path = source.reference.slice(host.length, -"/repository".length);
    const read = readCertsDir(fs, certDirFor(fs, host), { missingKeyHint: "", skipVanishedCrt: true });
    return {
      origin: i === pulled.sources.length - 1 ? "default" : "mirror",
      scheme: "https",
      host,
      path: path === "" ? "/v2" : path,
      capabilities: ["pull"],
      caFiles: source.insecure ? [] : (read?.caFiles.map((s) => s.path) ?? []),
      clientCerts: read?.clientPairs ?? [],
      skipVerify: source.insecure,
      // containers/image falls back to plain HTTP for an insecure registry.
      httpFallback: source.insecure,
    };
  });
  return {
    rules,
    filesRead,
    endpoints,
    error: entry?.blocked ? `${registry} is blocked in ${entry.file}` : null,
  };
}
