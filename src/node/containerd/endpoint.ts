import { ipVersionOf } from "../../target/ip-literal.ts";
import { type ContainerdFeatures, LATEST_FEATURES } from "./features.ts";
import type { HostsEndpoint } from "./hosts-toml.ts";

/**
 * The endpoint whose TLS settings decide whether `registry` itself verifies:
 * the first entry (in containerd's try order) that dials the registry's own
 * host, else the server entry. Entries before it on other hosts are mirrors.
 */
export function endpointForRegistry(
  endpoints: readonly HostsEndpoint[],
  registry: string,
): { endpoint: HostsEndpoint; mirrors: HostsEndpoint[] } {
  const wanted = normalizeAuthority("https", registry);
  const index = endpoints.findIndex(
    (e) => normalizeAuthority(e.scheme ?? "https", e.host ?? registry) === wanted,
  );
  const chosen = index >= 0 ? index : endpoints.length - 1;
  const endpoint = endpoints[chosen] as HostsEndpoint;
  const mirrors = endpoints.slice(0, chosen).filter((e) => e.capabilities.includes("pull"));
  return { endpoint, mirrors };
}

/** host[:port] compared case-insensitively, with the scheme's default port dropped. */
function normalizeAuthority(scheme: string, authority: string): string {
  const lower = authority.toLowerCase();
  const defaultPort = scheme === "http" ? ":80" : ":443";
  return lower.endsWith(defaultPort) ? lower.slice(0, -defaultPort.length) : lower;
}

/**
 * docker.IsLocalhost: "localhost" or a loopback IP, port ignored
 * (core/remotes/docker/resolver.go). Like Go's net.SplitHostPort, "[::1]"
 * without a port does not split, and the bracketed text is no IP: not local.
 */
export function isLocalhost(registry: string): boolean {
  const bracketedNoPort =
    registry.startsWith("[") && !registry.slice(registry.indexOf("]") + 1).startsWith(":");
  if (bracketedNoPort) return false;
  const host = splitHostPort(registry).host;
  if (host === "localhost") return true;
  if (ipVersionOf(host) === 4) return host.startsWith("127.");
  if (ipVersionOf(host) === 6)
    return host === "::1" || /^(0:){7}1$/.test(host) || /^::ffff:127\./i.test(host);
  return false;
}

/** Go's net.SplitHostPort, lenient: no port → port "". Brackets are removed from the host. */
export function splitHostPort(authority: string): { host: string; port: string } {
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    const host = authority.slice(1, close);
    const rest = authority.slice(close + 1);
    return { host, port: rest.startsWith(":") ? rest.slice(1) : "" };
  }
  const colon = authority.lastIndexOf(":");
  if (colon < 0 || authority.indexOf(":") !== colon) return { host: authority, port: "" };
  return { host: authority.slice(0, colon), port: authority.slice(colon + 1) };
}

/**
 * containerd skips verification for a loopback registry it dials with its
 * built-in defaults (no `server` key) (hosts.go `ConfigureHosts`: "Skipping
 * TLS verification for localhost"): from 1.7 on any port but 80; 1.6 dials
 * such a registry over plain HTTP on every port.
 */
export function implicitLocalhostSkipVerify(
  registry: string,
  features: Pick<ContainerdFeatures, "localhostByPort"> = LATEST_FEATURES,
): boolean {
  if (!isLocalhost(registry)) return false;
  return !features.localhostByPort || splitHostPort(registry).port !== "80";
}
