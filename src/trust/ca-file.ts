import { readFileSync } from "node:fs";
import { InputError } from "../core/errors.ts";
import type { Certificate } from "../pki/certificate.ts";
import { readCertificates } from "../pki/read-bundle.ts";
import { goRfc3339 } from "../pki/verify-go.ts";

/**
 * The `--ca` file: read (PEM, DER, PKCS#7, bundles) and checked before
 * anything is planned. Every problem here is bad input (InputError, exit 2)
 * naming the file: nothing on the node has been touched yet.
 */
export function readCaFile(
  path: string,
  env: Record<string, string | undefined> = process.env,
): Certificate[] {
  if (path.startsWith("env:")) return readCaFromEnv(path.slice(4), env);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(error);
    throw new InputError(`--ca ${path}: ${why}`);
  }
  return readCertificates(new Uint8Array(bytes), `--ca ${path}`).certs;
}

/**
 * `--ca env:NAME`: the PEM in an environment variable. `regtrust k8s node …
 * trust --ca FILE` reads FILE on the operator's machine and hands it to the
 * pod this way (node-run/pod-spec.ts), since the file is not on the node.
 */
function readCaFromEnv(name: string, env: Record<string, string | undefined>): Certificate[] {
  const pem = env[name];
  if (!pem) throw new InputError(`--ca env:${name}: the environment variable ${name} is not set or empty`);
  return readCertificates(new Uint8Array(Buffer.from(pem)), `--ca env:${name}`).certs;
}

/**
 * A CA file must hold trust anchors: CA certificates, or a self-signed
 * server certificate (a registry with no CA at all). A leaf issued by a CA
 * is refused with the issuer to trust instead: trusting the leaf works only
 * until it is renewed. Expired or not-yet-valid certificates are refused
 * too: Go rejects a chain through them (verify.go isValid).
 */
export function checkCaCertificates(certs: readonly Certificate[], name: string, now: Date): void {
  for (const cert of certs) {
    if (cert.notAfter.getTime() < now.getTime()) {
      throw new InputError(
        `${name}: ${cert.subject} expired at ${goRfc3339(cert.notAfter)}; get its renewed CA`,
      );
    }
    if (cert.notBefore.getTime() > now.getTime()) {
      throw new InputError(`${name}: ${cert.subject} is not valid before ${goRfc3339(cert.notBefore)}`);
    }
    if (!(cert.basicConstraintsValid && cert.isCA) && !cert.selfSigned) {
      throw new InputError(
        `${name}: ${cert.subject} is a server certificate issued by ${cert.issuer}, not a CA; ` +
          `trust the CA that issued it instead (the certificate named "${cert.issuer}")`,
      );
    }
  }
}
