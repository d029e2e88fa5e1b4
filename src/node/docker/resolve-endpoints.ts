import type { HostFs } from "../host-fs.ts";
import type { ResolvedEndpointView } from "../types.ts";
import { readCertsDir } from "./certs-dir.ts";
import type { InsecureEntry } from "./daemon-json.ts";
import { matchInsecure } from "./insecure-match.ts";

export interface DockerLookup {
  /** daemon.json `insecure-registries` plus `--insecure-registry` flags. */
  insecure: readonly InsecureEntry[];
  /** `registry-mirrors` (daemon.json and `--registry-mirror`), used for Docker Hub only. */
  mirrors: readonly string[];
  /** A host's addresses as the node resolves them (CIDR matching); null when unknown. */
  addressesOf: (host: string) => readonly string[] | null;
  /** The built-in insecure ranges of this Docker version. */
  builtinCidrs: readonly string[];
  certsDir: string;
}

/**
 * moby's `LookupPullEndpoints` (registry/service_v2.go, 20.10): Docker Hub gets
 * its mirrors, then registry-1.docker.io with default TLS; any other registry
 * HTTPS with certs.d/<host> on the system roots, or — when insecure — HTTPS
 * without verification and certs.d unread, then plain HTTP.
 */
export function resolveDockerEndpoints(
  fs: HostFs,
  registry: string,
  lookup: DockerLookup,
): { endpoints: ResolvedEndpointView[]; error: string | null } {
  try {
    if (registry === "docker.io" || registry === "index.docker.io") {
      const mirrors = lookup.mirrors.map((m) => mirrorEndpoint(fs, m, lookup));
      return { endpoints: [...mirrors, endpoint("default", "https", "registry-1.docker.io")], error: null };
    }
    const first = tlsEndpoint(fs, "default", "https", registry, lookup);
    const http = first.skipVerify ? [{ ...first, scheme: "http" }] : [];
    return { endpoints: [first, ...http], error: null };
  } catch (error) {
    if (!(error instanceof CertsDirError)) throw error;
    return { endpoints: [], error: error.message };
  }
}

class CertsDirError extends Error {}

function mirrorEndpoint(fs: HostFs, mirror: string, lookup: DockerLookup): ResolvedEndpointView {
  const url = /^https?:\/\//.test(mirror) ? mirror : `https://${mirror}`;
  const scheme = url.slice(0, url.indexOf(":"));
  const host = url.slice(scheme.length + 3).replace(/[/?#].*$/, "");
  return tlsEndpoint(fs, "mirror", scheme, host, lookup);
}

function tlsEndpoint(
  fs: HostFs,
  origin: ResolvedEndpointView["origin"],
  scheme: string,
  host: string,
  lookup: DockerLookup,
): ResolvedEndpointView {
  const insecure = isInsecure(host, lookup);
  if (insecure) return { ...endpoint(origin, scheme, host), skipVerify: true };
  const read = readCertsDir(fs, `${lookup.certsDir}/${host}`, {
    missingKeyHint: "Note that CA certificates should use the extension .crt",
    skipVanishedCrt: false,
  });
  const fatal = read?.fatal[0] ?? read?.caFiles.find((s) => s.bytes === null);
  if (fatal) throw new CertsDirError("error" in fatal ? fatal.error : `${fatal.path}: ${fatal.readError}`);
  return {
    ...endpoint(origin, scheme, host),
    caFiles: read?.caFiles.map((s) => s.path) ?? [],
    clientCerts: read?.clientPairs ?? [],
  };
}

/** registry/config.go `isSecureIndex`: an exact insecure entry, else the host's addresses against the CIDRs. */
function isInsecure(host: string, lookup: DockerLookup): boolean {
  const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d*$/, "");
  const match = matchInsecure(host, lookup.insecure, lookup.addressesOf(name), lookup.builtinCidrs);
  return match !== null && match.kind !== "unresolved";
}

function endpoint(
  origin: ResolvedEndpointView["origin"],
  scheme: string,
  host: string,
): ResolvedEndpointView {
  return {
    origin,
    scheme,
    host,
    path: "/v2",
    capabilities: ["pull", "resolve"],
    caFiles: [],
    clientCerts: [],
    skipVerify: false,
    httpFallback: false,
  };
}
