/**
 * The failure scenarios whose real error text feeds the error classifier:
 * each sets up a registry endpoint that is broken in one way, as seen from
 * `repo.example.com:<port>`, and says which CA (if any) a client should trust
 * so that exactly that one problem remains.
 */
import { pickFreePort } from "./free-port.ts";
import { startRegistry } from "./registry.ts";

export const SCENARIOS = [
  "unknown-authority",
  "hostname-mismatch",
  "expired",
  "plain-http",
  "connection-refused",
  "dns-failure",
  "self-signed",
] as const;

export type ScenarioName = (typeof SCENARIOS)[number];

export interface PemPair {
  certPem: string;
  keyPem: string;
}

/** Certificates the TLS scenarios need; `leaf` names repo.example.com and is issued by `intermediate`. */
export interface ScenarioPki {
  rootPem: string;
  intermediatePem: string;
  /** Issued by the intermediate for other.example.com only. */
  wrongNameLeaf: PemPair;
  /** Issued by the intermediate for repo.example.com, expired at EXPIRED_NOT_AFTER. */
  expiredLeaf: PemPair;
  /** Valid leaf for repo.example.com, issued by the intermediate. */
  leaf: PemPair;
  /** Self-signed, for repo.example.com. */
  selfSignedLeaf: PemPair;
}

/** Fixed so the expiry error text is comparable between runs. */
export const EXPIRED_NOT_BEFORE = new Date("2020-01-01T00:00:00Z");
export const EXPIRED_NOT_AFTER = new Date("2021-01-01T00:00:00Z");

/** An unmapped name under the reserved .invalid TLD (RFC 6761 §6.4): resolution always fails. */
export const UNRESOLVABLE_HOST = "registry.regtrust-test.invalid";

export interface ScenarioEndpoint {
  /** host:port as in the image reference and the certs.d directory name. */
  registryHost: string;
  image: string;
  /** PEM the client is given as its per-registry CA; undefined = none. */
  trustPem?: string;
  stop(): Promise<void>;
}

const REPOSITORY = "team/app:v1";

function endpoint(registryHost: string, stop: () => Promise<void>, trustPem?: string): ScenarioEndpoint {
  const result: ScenarioEndpoint = { registryHost, image: `${registryHost}/${REPOSITORY}`, stop };
  if (trustPem !== undefined) result.trustPem = trustPem;
  return result;
}

async function tlsEndpoint(certPem: string, keyPem: string, trustPem?: string): Promise<ScenarioEndpoint> {
  const registry = await startRegistry({ tls: { certPem, keyPem } });
  return endpoint(`repo.example.com:${registry.port}`, () => registry.stop(), trustPem);
}

/** Starts whatever the scenario needs; the caller must `stop()` it. Needs TEST_HOSTS in /etc/hosts. */
export async function setupScenario(name: ScenarioName, pki: ScenarioPki): Promise<ScenarioEndpoint> {
  const noop = async () => undefined;
  switch (name) {
    case "unknown-authority":
      return tlsEndpoint(pki.leaf.certPem + pki.intermediatePem, pki.leaf.keyPem);
    case "hostname-mismatch":
      return tlsEndpoint(
        pki.wrongNameLeaf.certPem + pki.intermediatePem,
        pki.wrongNameLeaf.keyPem,
        pki.rootPem,
      );
    case "expired":
      return tlsEndpoint(pki.expiredLeaf.certPem + pki.intermediatePem, pki.expiredLeaf.keyPem, pki.rootPem);
    case "self-signed":
      return tlsEndpoint(pki.selfSignedLeaf.certPem, pki.selfSignedLeaf.keyPem);
    case "plain-http": {
      const registry = await startRegistry();
      return endpoint(`repo.example.com:${registry.port}`, () => registry.stop());
    }
    case "connection-refused":
      return endpoint(`repo.example.com:${await pickFreePort("127.0.0.1")}`, noop);
    case "dns-failure":
      return endpoint(`${UNRESOLVABLE_HOST}:5000`, noop);
  }
}
