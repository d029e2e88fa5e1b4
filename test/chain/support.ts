/**
 * Loopback fixtures for the chain/inspect tests: an AIA web server whose
 * routes are set after the certificates naming its URLs are issued, a TLS
 * registry stand-in that sends exactly the certificates it is given, a PKI
 * whose AIA URLs point at that server, and real openssl for what users run.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { type IssuedCert, issueCertificate } from "../../src/pki/generate.ts";
import { FIXED } from "../../src/pki/testing/test-pki.ts";
import { httpsServer, type Loopback, listen } from "../../src/probe/testing/loopback.ts";

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface AiaServer extends Loopback {
  /** http://127.0.0.1:<port> */
  base: string;
  routes: Map<string, Route>;
  /** Paths requested, in order. */
  hits: string[];
}

/** Plain-HTTP server on 127.0.0.1:0; unknown paths answer 404. */
export async function startAiaServer(): Promise<AiaServer> {
  const routes = new Map<string, Route>();
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const route = routes.get(req.url ?? "");
    if (route) route(req, res);
    else {
      res.statusCode = 404;
      res.end("not found\n");
    }
  });
  const loopback = await listen(server);
  return { ...loopback, base: `http://127.0.0.1:${loopback.port}`, routes, hits };
}

/** Serves fixed bytes with a content type. */
export function serve(body: Uint8Array | string, type = "application/pkix-cert"): Route {
  return (_req, res) => {
    res.setHeader("Content-Type", type);
    res.end(body);
  };
}

/** Never answers (the test's server.close() destroys the socket). */
export const hang: Route = () => {};

/** Serves the PKI's intermediate (as `form`) and root (DER) under `prefix`. */
export function serveAiaPki(
  aia: AiaServer,
  pki: AiaPki,
  prefix: string,
  leafAia: string,
  intermediateBody: Uint8Array,
): void {
  aia.routes.set(`${prefix}${leafAia}`, serve(intermediateBody));
  aia.routes.set(`${prefix}/root.der`, serve(pki.root.der));
}

/** An HTTPS server sending exactly `chain` (leaf first), answering 200 to everything. */
export async function startRegistry(chain: IssuedCert[], key: IssuedCert): Promise<Loopback> {
  const cert = chain.map((c) => `${c.certPem.trim()}\n`).join("");
  return httpsServer({ cert, key: key.keyPem }, (_req, res) => res.end("{}\n"));
}

export interface AiaPki {
  root: IssuedCert;
  intermediate: IssuedCert;
  leaf: IssuedCert;
}

/**
 * root ← intermediate (AIA → <base><prefix>/root.der) ← leaf for repo.example.com
 * (AIA → <base><prefix><leafAia>), with the fixed dates of src/pki/testing/test-pki.ts so
 * golden output keeps real dates.
 */
export async function aiaPki(base: string, prefix: string, leafAia: string): Promise<AiaPki> {
  const root = await issueCertificate({
    ...FIXED,
    commonName: "AIA Test Root CA",
    organization: "regtrust test",
    isCA: true,
  });
  const intermediate = await issueCertificate({
    ...FIXED,
    commonName: "AIA Test Intermediate CA",
    organization: "regtrust test",
    issuer: root,
    isCA: true,
    pathLen: 0,
    aiaIssuerUrl: `${base}${prefix}/root.der`,
  });
  const leaf = await issueCertificate({
    ...FIXED,
    commonName: "repo.example.com",
    issuer: intermediate,
    dnsNames: ["repo.example.com"],
    ipAddresses: ["127.0.0.1"],
    extKeyUsage: ["serverAuth"],
    aiaIssuerUrl: `${base}${prefix}${leafAia}`,
  });
  return { root, intermediate, leaf };
}

/** Runs openssl (bounded); returns stdout. */
export function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, {
    timeout: 15_000,
    encoding: "utf8",
    input,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** A certs-only PKCS#7 made the way users make one: openssl crl2pkcs7 -nocrl -certfile. */
export function pkcs7Of(dir: string, certs: IssuedCert[], form: "DER" | "PEM"): Buffer {
  const pemFile = join(dir, `p7-input-${Math.random().toString(16).slice(2)}.pem`);
  writeFileSync(pemFile, certs.map((c) => `${c.certPem.trim()}\n`).join(""));
  const out = execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", pemFile, "-outform", form], {
    timeout: 15_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return out;
}
