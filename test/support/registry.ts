/**
 * A real docker-registry (distribution 2.8, Debian package) per test: temp
 * storage, optional TLS with whatever chain the test wants sent, optional
 * token or htpasswd auth. `docker-registry serve` loads the certificate file
 * with Go's tls.LoadX509KeyPair, so every certificate in it is sent in order.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AddressInUseError, retryOnAddressInUse } from "./free-port.ts";
import { htpasswdLine } from "./htpasswd.ts";
import { pingV2 } from "./http-ping.ts";
import { type Service, startService } from "./processes.ts";
import { type RegistryAuth, type RegistryFiles, registryConfigYaml, registryEnv } from "./registry-config.ts";
import { makeTempDir, removeTempDir } from "./tmp.ts";
import { waitFor } from "./wait.ts";

export type { RegistryAuth } from "./registry-config.ts";

export const REGISTRY_BINARY = "/usr/bin/docker-registry";

export interface RegistryOptions {
  /** certPem: the leaf followed by whatever else the test wants the server to send. */
  tls?: { certPem: string; keyPem: string };
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** 0 or absent: pick a free port. */
  port?: number;
  auth?: RegistryAuth;
  readyTimeoutMs?: number;
}

export interface RunningRegistry {
  port: number;
  /** e.g. https://127.0.0.1:40123 (the listen address, not a test host name). */
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  logs(): string;
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  const host = opts.host ?? "127.0.0.1";
  const dataDir = await makeTempDir("registry");
  try {
    const files = await writeRegistryFiles(dataDir, opts);
    const launch = (port: number) =>
      launchRegistry(dataDir, { ...files, listenAddr: joinHostPort(host, port) }, opts);
    const { service, port } = opts.port ? await launch(opts.port) : await retryOnAddressInUse(host, launch);
    const url = `${opts.tls ? "https" : "http"}://${joinHostPort(host, port)}`;
    return {
      port,
      url,
      dataDir,
      logs: () => service.logs(),
      stop: async () => {
        try {
          await service.stop(5000);
        } finally {
          await removeTempDir(dataDir);
        }
      },
    };
  } catch (err) {
    await removeTempDir(dataDir);
    throw err;
  }
}

function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

async function writeRegistryFiles(
  dir: string,
  opts: RegistryOptions,
): Promise<Omit<RegistryFiles, "listenAddr">> {
  const files: Omit<RegistryFiles, "listenAddr"> = { storageDir: join(dir, "storage") };
  if (opts.tls) {
    files.tls = { certFile: join(dir, "server-chain.pem"), keyFile: join(dir, "server-key.pem") };
    await writeFile(files.tls.certFile, opts.tls.certPem);
    await writeFile(files.tls.keyFile, opts.tls.keyPem, { mode: 0o600 });
  }
  if (opts.auth && "htpasswd" in opts.auth) {
    const htpasswdFile = join(dir, "htpasswd");
    const { user, password } = opts.auth.htpasswd;
    await writeFile(htpasswdFile, `${await htpasswdLine(user, password)}\n`, { mode: 0o600 });
    files.auth = { htpasswdFile };
  } else if (opts.auth) {
    const { rootCertPem, ...token } = opts.auth.token;
    const tokenRootCertFile = join(dir, "token-root.pem");
    await writeFile(tokenRootCertFile, rootCertPem);
    files.auth = { tokenRootCertFile, token };
  }
  return files;
}

/** Starts one registry process on a fixed address and waits until it answers. */
async function launchRegistry(
  dir: string,
  files: RegistryFiles,
  opts: RegistryOptions,
): Promise<{ service: Service; port: number }> {
  const configFile = join(dir, "config.yml");
  await writeFile(configFile, registryConfigYaml(files));
  const service = startService([REGISTRY_BINARY, "serve", configFile], { env: registryEnv(), cwd: dir });
  const url = `${files.tls ? "https" : "http"}://${files.listenAddr}`;
  const timeoutMs = opts.readyTimeoutMs ?? 10_000;
  try {
    const outcome = await waitFor(() => registryState(service, url, files.listenAddr), {
      what: `docker-registry on ${files.listenAddr}`,
      timeoutMs,
    });
    if (outcome === "ready") return { service, port: Number(files.listenAddr.split(":").pop()) };
    if (/address already in use/i.test(service.logs())) {
      throw new AddressInUseError(`docker-registry cannot bind ${files.listenAddr}: address already in use`);
    }
    throw new Error(`docker-registry exited during start-up on ${files.listenAddr}`);
  } catch (err) {
    await service.stop(2000);
    if (err instanceof AddressInUseError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\n--- docker-registry log ---\n${service.logs()}`);
  }
}

/**
 * "ready" needs the registry's own "listening on" log line (printed only after
 * its bind succeeded) *and* an HTTP answer: a port stolen by another test's
 * server would answer the ping too.
 */
async function registryState(
  service: Service,
  url: string,
  addr: string,
): Promise<"ready" | "exited" | undefined> {
  if (!service.isRunning()) return "exited";
  if (!service.logs().includes(`listening on ${addr}`)) return undefined;
  await pingV2(url);
  return "ready";
}
