import { parseIp } from "../../pki/ip.ts";
import { splitHostPort } from "../containerd/endpoint.ts";
import type { InsecureEntry } from "./daemon-json.ts";

/**
 * dockerd always adds these (registry/config.go `LoadInsecureRegistries`: "Localhost is by default
 * considered as an insecure registry"): moby 20.10.24 (Debian 12) adds 127.0.0.0/8 only, current
 * moby also ::1/128. Checked against 20.10.24's own code by test/oracle/moby-registry.test.ts.
 */
export const BUILTIN_INSECURE_CIDRS = ["::1/128", "127.0.0.0/8"];
export const BUILTIN_INSECURE_CIDRS_20_10 = ["127.0.0.0/8"];

export type InsecureMatch =
  | { kind: "entry"; entry: InsecureEntry }
  | { kind: "builtin"; cidr: string }
  | { kind: "unresolved"; cidrs: InsecureEntry[] };

/**
 * dockerd's `isSecureIndex`: an exact host[:port] entry first; Docker Hub is
 * always secure; otherwise the registry's IPs against the CIDRs. A host name
 * is resolved by dockerd; offline we use `addresses` when the caller has
 * them, and otherwise report CIDRs that might apply as "unresolved".
 */
export function matchInsecure(
  registry: string,
  entries: readonly InsecureEntry[],
  addresses: readonly string[] | null,
  builtins: readonly string[] = BUILTIN_INSECURE_CIDRS,
): InsecureMatch | null {
  const exact = entries.find((e) => e.kind === "host" && e.value === registry);
  if (exact) return { kind: "entry", entry: exact };
  if (registry === "docker.io") return null;
  // net.SplitHostPort: "[::1]" without a port does not split, and "[::1]" is no IP.
  const bracketedNoPort =
    registry.startsWith("[") && !registry.slice(registry.indexOf("]") + 1).startsWith(":");
  const host = bracketedNoPort ? registry : splitHostPort(registry).host;
  const ips = parseIp(host) ? [host] : host === "localhost" ? ["127.0.0.1", "::1"] : (addresses ?? []);
  const cidrs = entries.filter((e) => e.kind === "cidr");
  for (const ip of ips) {
    const entry = cidrs.find((e) => cidrContains(e.value, ip));
    if (entry) return { kind: "entry", entry };
    const builtin = builtins.find((c) => cidrContains(c, ip));
    if (builtin) return { kind: "builtin", cidr: builtin };
  }
  if (ips.length === 0 && cidrs.length > 0) return { kind: "unresolved", cidrs };
  return null;
}

export function cidrContains(cidr: string, ipText: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const prefix = parseIp(base ?? "");
  const ip = unmap(parseIp(ipText));
  const bits = Number(bitsText);
  if (!prefix || !ip || prefix.length !== ip.length || !Number.isInteger(bits) || bits > prefix.length * 8)
    return false;
  for (let bit = 0; bit < bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    const byte = Math.floor(bit / 8);
    if (((prefix[byte] as number) & mask) !== ((ip[byte] as number) & mask)) return false;
  }
  return true;
}

/** netip.Addr.Unmap: an IPv4-mapped IPv6 address compares as IPv4. */
function unmap(ip: Uint8Array | null): Uint8Array | null {
  if (ip?.length === 16 && ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff) {
    return ip.subarray(12);
  }
  return ip;
}
