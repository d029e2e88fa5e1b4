/**
 * The certificates the TLS scenarios need, made once per test file with the
 * project's own generator (src/pki/generate.ts): root → intermediate → leaf
 * for repo.example.com, plus a wrong-name leaf, an expired leaf and a
 * self-signed leaf.
 */
import { createPrivatePki, issueCertificate } from "../../src/pki/generate.ts";
import { EXPIRED_NOT_AFTER, EXPIRED_NOT_BEFORE, type ScenarioPki } from "./error-scenarios.ts";

const SERVER_AUTH: ["serverAuth"] = ["serverAuth"];

/**
 * generate.ts returns PEM without a final newline; the scenarios concatenate
 * PEMs into chains, and Go's pem.Decode rejects "-----END …----------BEGIN …".
 */
function terminated(pem: string): string {
  return pem.endsWith("\n") ? pem : `${pem}\n`;
}

export async function makeScenarioPki(): Promise<ScenarioPki> {
  const { root, intermediate, leaf } = await createPrivatePki({ hostnames: ["repo.example.com"] });
  const [wrongNameLeaf, expiredLeaf, selfSignedLeaf] = await Promise.all([
    issueCertificate({
      commonName: "other.example.com",
      issuer: intermediate,
      dnsNames: ["other.example.com"],
      extKeyUsage: SERVER_AUTH,
    }),
    issueCertificate({
      commonName: "repo.example.com",
      issuer: intermediate,
      dnsNames: ["repo.example.com"],
      extKeyUsage: SERVER_AUTH,
      notBefore: EXPIRED_NOT_BEFORE,
      notAfter: EXPIRED_NOT_AFTER,
    }),
    issueCertificate({
      commonName: "repo.example.com",
      dnsNames: ["repo.example.com"],
      extKeyUsage: SERVER_AUTH,
    }),
  ]);
  const pair = (c: { certPem: string; keyPem: string }) => ({
    certPem: terminated(c.certPem),
    keyPem: terminated(c.keyPem),
  });
  return {
    rootPem: terminated(root.certPem),
    intermediatePem: terminated(intermediate.certPem),
    leaf: pair(leaf),
    wrongNameLeaf: pair(wrongNameLeaf),
    expiredLeaf: pair(expiredLeaf),
    selfSignedLeaf: pair(selfSignedLeaf),
  };
}
