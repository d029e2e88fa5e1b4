/**
 * docker-registry (distribution 2.8) configuration for one test instance.
 * Format: distribution v2.8 docs/configuration.md (`version: 0.1`, `storage`,
 * `http`, `auth`). The registry reads every REGISTRY_* environment variable as
 * an override, so `registryEnv` strips them.
 */
import { randomBytes } from "node:crypto";
import { stringify } from "yaml";

export type RegistryAuth =
  | { token: { realm: string; service: string; issuer: string; rootCertPem: string } }
  | { htpasswd: { user: string; password: string } };

export interface RegistryFiles {
  storageDir: string;
  listenAddr: string;
  /** PEM paths when TLS is on; the certificate file may hold the whole chain. */
  tls?: { certFile: string; keyFile: string };
  auth?:
    | { tokenRootCertFile: string; token: { realm: string; service: string; issuer: string } }
    | { htpasswdFile: string };
}

export function registryConfigYaml(files: RegistryFiles): string {
  const http: Record<string, unknown> = {
    addr: files.listenAddr,
    // A fixed per-instance secret silences the "No HTTP secret provided" start-up warning.
    secret: randomBytes(16).toString("hex"),
    headers: { "X-Content-Type-Options": ["nosniff"] },
  };
  if (files.tls) http.tls = { certificate: files.tls.certFile, key: files.tls.keyFile };
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: "info", formatter: "text", accesslog: { disabled: false } },
    storage: { filesystem: { rootdirectory: files.storageDir }, delete: { enabled: true } },
    http,
    // The default storage-driver health check adds a goroutine and log noise; not needed here.
    health: { storagedriver: { enabled: false } },
  };
  if (files.auth && "htpasswdFile" in files.auth) {
    config.auth = { htpasswd: { realm: "regtrust-test", path: files.auth.htpasswdFile } };
  } else if (files.auth) {
    const { realm, service, issuer } = files.auth.token;
    config.auth = { token: { realm, service, issuer, rootcertbundle: files.auth.tokenRootCertFile } };
  }
  return stringify(config);
}

/** The caller's environment minus REGISTRY_* overrides, which would silently change the config. */
export function registryEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("REGISTRY_")));
}
