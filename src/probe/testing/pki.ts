import { createPrivatePki, type IssuedCert, issueCertificate } from "../../pki/generate.ts";

export interface RegistryPki {
  root: IssuedCert;
  intermediate: IssuedCert;
  leaf: IssuedCert;
  /** A leaf signed directly by the root (for the "root is in the client's store" case). */
  rootSignedLeaf: IssuedCert;
}

/** root → intermediate → leaf for the test names, plus 127.0.0.1 as an IP SAN. */
export async function registryPki(hostnames: string[] = ["repo.example.com"]): Promise<RegistryPki> {
  const { root, intermediate, leaf } = await createPrivatePki({ hostnames, ipAddresses: ["127.0.0.1"] });
  const rootSignedLeaf = await issueCertificate({
    commonName: hostnames[0] ?? "localhost",
    issuer: root,
    dnsNames: hostnames,
    ipAddresses: ["127.0.0.1"],
    extKeyUsage: ["serverAuth"],
  });
  return { root, intermediate, leaf, rootSignedLeaf };
}

/** The PEM a server is configured with: certificates in exactly this order (first one pairs with the key). */
export function chainPem(...certs: IssuedCert[]): string {
  return certs.map((cert) => `${cert.certPem.trim()}\n`).join("");
}

export function derOf(...certs: IssuedCert[]): Uint8Array[] {
  return certs.map((cert) => new Uint8Array(cert.der));
}
