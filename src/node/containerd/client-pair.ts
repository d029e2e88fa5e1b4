import { createPrivateKey, X509Certificate } from "node:crypto";
import { type HostFs, HostFsError } from "../host-fs.ts";

/**
 * Why containerd cannot load a client certificate pair, in its words, or null
 * when it loads. hosts.go `ConfigureHosts` reads both files ("unable to read
 * CERT file") and calls Go's tls.X509KeyPair ("failed to load X509 key pair");
 * either error fails every pull from the registry. A null key means the key is
 * in the cert file (`client = "x.pem"`, or a *.cert without its *.key).
 */
export function clientPairError(fs: HostFs, cert: string, key: string | null): string | null {
  const certPem = readOrError(fs, cert);
  if (typeof certPem !== "string") return certPem.error;
  const keyPem = key === null ? certPem : readOrError(fs, key);
  if (typeof keyPem !== "string") return keyPem.error;
  const problem = keyPairProblem(certPem, keyPem);
  return problem ? `failed to load X509 key pair: ${problem}` : null;
}

function readOrError(fs: HostFs, path: string): string | { error: string } {
  try {
    const text = fs.readText(path);
    if (text !== null) return text;
    return { error: `unable to read CERT file "${path}": open ${path}: no such file or directory` };
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    return { error: `unable to read CERT file "${path}": ${error.message}` };
  }
}

interface PemBlock {
  type: string;
  text: string;
}

function pemBlocks(text: string): PemBlock[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  return [...text.matchAll(re)].map((m) => ({ type: m[1] as string, text: m[0] }));
}

/** Go's tls.X509KeyPair: CERTIFICATE blocks, the first "…PRIVATE KEY" block, and a matching pair. */
function keyPairProblem(certPem: string, keyPem: string): string | null {
  const certs = pemBlocks(certPem).filter((b) => b.type === "CERTIFICATE");
  if (certs.length === 0) return "tls: failed to find any PEM data in certificate input";
  const keyBlock = pemBlocks(keyPem).find((b) => b.type === "PRIVATE KEY" || b.type.endsWith(" PRIVATE KEY"));
  if (!keyBlock) return 'tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input';
  try {
    const leaf = new X509Certificate((certs[0] as PemBlock).text);
    const privateKey = createPrivateKey(keyBlock.text);
    return leaf.checkPrivateKey(privateKey) ? null : "tls: private key does not match public key";
  } catch (error) {
    return `tls: ${(error as Error).message}`;
  }
}
