import { X509Certificate } from "node:crypto";
import { posix } from "node:path";
import { type HostFs, HostFsError } from "../host-fs.ts";
import type { ResolvedEndpointView } from "../types.ts";
import { clientPairError } from "./client-pair.ts";
import { isLocalhost, splitHostPort } from "./endpoint.ts";
import type { ContainerdFeatures } from "./features.ts";
import { hostDirCandidates } from "./host-dir.ts";
import { type HostsEndpoint, parseHostsToml } from "./hosts-toml.ts";

/**
 * One endpoint as containerd's ConfigureHosts hands it to the resolver, in try order: the
 * runtime-neutral view's fields, never from a mirror list (that origin is other runtimes').
 */
export interface ResolvedEndpoint extends Omit<ResolvedEndpointView, "origin"> {
  origin: Exclude<ResolvedEndpointView["origin"], "mirror">;
}

/** What containerd makes of config_path's roots for one registry (remotes/docker/config/hosts.go). */
export interface HostsResolution {
  /** The host directory used (first root with a match wins), or null. */
  hostDir: string | null;
  /** The hosts.toml whose settings apply, or null (none, empty, or ignored). */
  hostsToml: string | null;
  /** A hosts.toml containerd ignored because it does not decode; it then reads the *.crt files. */
  hostsTomlIgnored: { file: string; reason: string; line: number | null } | null;
  endpoints: ResolvedEndpoint[];
  /** Why ConfigureHosts fails, so every pull from the registry fails; null when it succeeds. */
  error: string | null;
  /** containerd panics on this hosts.toml (before 2.0: getSortedHosts) instead of returning an error. */
  panics: boolean;
}

interface HostConfig {
  origin: ResolvedEndpoint["origin"];
  scheme: string;
  host: string;
  path: string;
  capabilities: string[];
  ca: string[] | null;
  clientPairs: [string, string | null][];
  skipVerify: boolean | null;
}

class ResolveError extends Error {}

/** ConfigureHosts(HostOptions{HostDir: hostDirFromRoots(roots)}) for `registry`, as the CRI plugin calls it. */
export function resolveHosts(
  fs: HostFs,
  roots: readonly string[],
  registry: string,
  features: ContainerdFeatures,
): HostsResolution {
  const result: HostsResolution = {
    hostDir: null,
    hostsToml: null,
    hostsTomlIgnored: null,
    endpoints: [],
    error: null,
    panics: false,
  };
  try {
    result.hostDir = hostDirFromRoots(fs, roots, registry, features);
    const hosts = result.hostDir ? loadHostDir(fs, result.hostDir, features, result) : [emptyHost()];
    if (result.panics) return result;
    applyDefaults(hosts, registry, features);
    result.endpoints = hosts.map((h) => finish(fs, h, features));
  } catch (error) {
    if (!(error instanceof ResolveError)) throw error;
    result.error = error.message;
    result.endpoints = [];
  }
  return result;
}

/** HostDirFromRoot per root: os.Stat of each candidate; an error other than "not found" stops the lookup. */
function hostDirFromRoots(
  fs: HostFs,
  roots: readonly string[],
  registry: string,
  features: ContainerdFeatures,
): string | null {
  for (const root of roots) {
    const rootKind = statKind(fs, root);
    for (const dir of hostDirCandidates(root, registry, features.defaultHostDir)) {
      // A root that is a regular file: stat("<file>/<host>") is ENOTDIR, not "not found".
      if (rootKind !== null && rootKind !== "dir") throw new ResolveError(`stat ${dir}: not a directory`);
      if (statKind(fs, dir) !== null) return dir;
    }
  }
  return null;
}

function statKind(fs: HostFs, path: string): string | null {
  try {
    return fs.stat(path)?.kind ?? null;
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    throw new ResolveError(`stat ${error.message}`);
  }
}

/** hosts.go `loadHostDir`: hosts.toml when non-empty and valid, else Docker's *.crt / *.cert layout. */
function loadHostDir(
  fs: HostFs,
  dir: string,
  features: ContainerdFeatures,
  result: HostsResolution,
): HostConfig[] {
  const file = posix.join(dir, "hosts.toml");
  if (statKind(fs, dir) !== "dir") throw new ResolveError(`open ${file}: not a directory`);
  let text: string | null;
  try {
    text = fs.readText(file);
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    throw new ResolveError(`read ${error.message}`);
  }
  if (text === null || text.length === 0) return loadCertFiles(fs, dir);
  const parsed = parseHostsToml(text, dir, features);
  if (parsed.ok) {
    result.hostsToml = file;
    return parsed.endpoints.map(fromHostsToml);
  }
  if (parsed.panics) {
    result.panics = true;
    result.error = `containerd panics reading ${file}: ${parsed.reason}`;
    return [];
  }
  result.hostsTomlIgnored = { file, reason: parsed.reason, line: parsed.line };
  return loadCertFiles(fs, dir);
}

function fromHostsToml(e: HostsEndpoint): HostConfig {
  return {
    origin: e.kind,
    scheme: e.scheme ?? "",
    host: e.host ?? "",
    path: e.path,
    capabilities: e.capabilities,
    ca: e.ca,
    clientPairs: e.clientPairs,
    skipVerify: e.skipVerify,
  };
}

function emptyHost(): HostConfig {
  return {
    origin: "default",
    scheme: "",
    host: "",
    path: "",
    capabilities: [],
    ca: null,
    clientPairs: [],
    skipVerify: null,
  };
}

/** hosts.go `loadCertFiles`: *.crt are CAs, *.cert pairs with the same-stem *.key when present. */
function loadCertFiles(fs: HostFs, dir: string): HostConfig[] {
  const host: HostConfig = { ...emptyHost(), origin: "certs.d" };
  let names: string[];
  try {
    names = fs.readDir(dir) ?? [];
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    throw new ResolveError(`open ${error.message}`);
  }
  for (const name of names) {
    const path = posix.join(dir, name);
    if (statKind(fs, path) === "dir") continue;
    if (name.endsWith(".crt")) host.ca = [...(host.ca ?? []), path];
    if (name.endsWith(".cert")) {
      const key = posix.join(dir, `${name.slice(0, -".cert".length)}.key`);
      host.clientPairs.push([path, statKind(fs, key) !== null ? key : null]);
    }
  }
  return [host];
}

/**
 * hosts.go `ConfigureHosts`: the last entry without a host (no `server`, or
 * the *.crt layout, or nothing) becomes the registry itself, with the
 * registry's capabilities reset to pull, resolve and push.
 */
function applyDefaults(hosts: HostConfig[], registry: string, features: ContainerdFeatures): void {
  const last = hosts.at(-1);
  if (last?.host !== "") return;
  last.host = registry;
  last.scheme = "https";
  if (registry === "docker.io") last.host = "registry-1.docker.io";
  else if (isLocalhost(registry)) {
    const port = splitHostPort(registry).port;
    if (!features.localhostByPort) {
      // 1.6: plain HTTP on any port, with skip_verify for an HTTPS redirect.
      last.scheme = "http";
      last.skipVerify = true;
    } else {
      last.scheme = port === "" || port === "443" ? "https" : "http";
      if (port !== "80") last.skipVerify = true;
    }
  }
  last.path = "/v2";
  last.capabilities = ["pull", "resolve", "push"];
}

/** Loads the TLS material the way ConfigureHosts does; the first failure fails every pull. */
function finish(fs: HostFs, h: HostConfig, features: ContainerdFeatures): ResolvedEndpoint {
  for (const path of h.ca ?? []) loadCa(fs, path);
  for (const [cert, key] of h.clientPairs) {
    const problem = clientPairError(fs, cert, key);
    if (problem) throw new ResolveError(problem);
  }
  const explicitTls = h.ca !== null || h.clientPairs.length > 0 || h.skipVerify !== null;
  const fallback =
    features.httpsFirstWithTls && h.scheme === "http" && explicitTls && splitHostPort(h.host).port !== "80";
  return {
    origin: h.origin,
    scheme: fallback ? "https" : h.scheme,
    host: h.host,
    path: h.path,
    capabilities: h.capabilities,
    caFiles: h.ca ?? [],
    clientCerts: h.clientPairs.map(([cert, key]) => ({ cert, key })),
    skipVerify: h.skipVerify === true,
    httpFallback: fallback,
  };
}

/** "unable to read CA cert" / "unable to load CA cert" (no certificate in the file). */
function loadCa(fs: HostFs, path: string): void {
  let bytes: Buffer | null;
  try {
    bytes = fs.readFile(path);
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    throw new ResolveError(`unable to read CA cert "${path}": ${error.message}`);
  }
  if (bytes === null)
    throw new ResolveError(`unable to read CA cert "${path}": open ${path}: no such file or directory`);
  if (!hasCertificate(bytes.toString("latin1"))) throw new ResolveError(`unable to load CA cert "${path}"`);
}

/** Go's CertPool.AppendCertsFromPEM succeeds when one CERTIFICATE block without headers parses. */
function hasCertificate(text: string): boolean {
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (const m of text.matchAll(re)) {
    if ((m[1] as string).includes(":")) continue;
    try {
      new X509Certificate(m[0]);
      return true;
    } catch {}
  }
  return false;
}
