/**
 * `regtrust diagnose` against the real Debian docker-registry, one scenario
 * per certificate finding. Where the finding is a Go verification failure,
 * skopeo (containers/image, a Go client) is run against the same node trust
 * and must print the same x509 text our context reports.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createPrivatePki, type IssuedCert, issueCertificate } from "../../src/pki/generate.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { skopeoInspect } from "../support/skopeo.ts";
import { TempDirs } from "../support/tmp.ts";
import { codes, context, diagnoseJson, runCli, x509Text } from "./cli.ts";
import { buildNodeRoot, type NodeFiles, withContainerd } from "./node-root.ts";

const HOST = "repo.example.com";
const DAY = 86_400_000;
const dirs = new TempDirs();
let pki: Awaited<ReturnType<typeof createPrivatePki>>;

before(async () => {
  await ensureTestHosts();
  pki = await createPrivatePki({ hostnames: [HOST] });
});
after(() => dirs.cleanup());

async function withRegistry<T>(
  certPem: string,
  keyPem: string,
  body: (reg: RunningRegistry) => Promise<T>,
): Promise<T> {
  const reg = await startRegistry({ tls: { certPem, keyPem } });
  try {
    return await body(reg);
  } finally {
    await reg.stop();
  }
}

function chainPem(...certs: IssuedCert[]): string {
  return certs.map((c) => c.certPem.trim()).join("\n") + "\n";
}

/** containerd trusts `ca` for the registry through hosts.toml, as `regtrust trust` would set it up. */
function hostsTomlTrusting(registry: string, ca: string, extra = ""): NodeFiles {
  const dir = `/etc/containerd/certs.d/${registry}`;
  return {
    [`${dir}/hosts.toml`]: `server = "https://${registry}"\n\n[host."https://${registry}"]\n  capabilities = ["pull", "resolve"]\n  ca = "${dir}/ca.crt"\n${extra}`,
    [`${dir}/ca.crt`]: ca,
  };
}

/** skopeo with the node root's OS bundle as Go's system roots and the given certs.d directory. */
async function skopeoError(registry: string, root: string, certDir?: string): Promise<string> {
  const result = await skopeoInspect(`${registry}/demo/app:1`, {
    timeoutMs: 20_000,
    env: {
      SSL_CERT_FILE: join(root, "etc/ssl/certs/ca-certificates.crt"),
      SSL_CERT_DIR: join(root, "nonexistent"),
    },
    ...(certDir ? { certDir: join(root, certDir) } : {}),
  });
  assert.notEqual(result.code, 0, "skopeo unexpectedly succeeded");
  // skopeo logs through logrus, which escapes the quotes inside msg="…".
  return result.stderr.replaceAll('\\"', '"');
}

describe("diagnose: certificate chain scenarios against docker-registry", () => {
  test("unknown-authority: the node lacks the private root (the incident)", async () => {
    await withRegistry(chainPem(pki.leaf, pki.intermediate), pki.leaf.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd());
      const { run, result } = await diagnoseJson(registry, root);
      assert.equal(run.code, 1, run.stdout);
      assert.equal(result.ok, false);
      assert.deepEqual(codes(result, "error"), ["unknown-authority"]);
      assert.match(result.findings[0]?.message ?? "", /private CA/);
      assert.equal(result.presented.length, 2);
      // The JSON contract (docs/schema/diagnose.schema.json), schemaVersion 1 (additive fields allowed, none missing).
      assert.equal(result.schemaVersion, 1);
      for (const key of ["target", "ok", "presented", "contexts", "registry", "findings"])
        assert.ok(key in result, key);
      for (const key of ["input", "host", "port", "serverName"]) assert.ok(key in result.target, key);
      const cert = result.presented[0] as unknown as Record<string, unknown>;
      for (const key of [
        "subject",
        "issuer",
        "serial",
        "notBefore",
        "notAfter",
        "sans",
        "isCA",
        "selfSigned",
        "sha256",
      ]) {
        assert.ok(key in cert, key);
      }
      for (const key of ["name", "ok", "anchors", "insecure", "error"])
        assert.ok(key in result.contexts[0]!, key);
      for (const key of ["code", "severity", "message", "fix"]) assert.ok(key in result.findings[0]!, key);
      assert.equal(
        context(result, "containerd").error,
        "tls: failed to verify certificate: x509: certificate signed by unknown authority",
      );
      assert.equal(result.registry?.status, 200);
      const stderr = await skopeoError(registry, root);
      assert.ok(stderr.includes("x509: certificate signed by unknown authority"), stderr);
      const text = await runCli(["diagnose", registry, "--root", root, "--timeout", "4000"]);
      assert.match(
        text.stdout,
        /^✗ FAIL {2}repo\.example\.com:\d+: system, containerd cannot pull — unknown-authority/,
      );
      assert.match(text.stdout, /regtrust trust repo\.example\.com:\d+ --ca root\.pem/);
    });
  });

  test("verified: containerd trusts the root through hosts.toml", async () => {
    await withRegistry(chainPem(pki.leaf, pki.intermediate), pki.leaf.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(registry, pki.root.certPem)));
      const { run, result } = await diagnoseJson(registry, root);
      assert.equal(run.code, 0, run.stdout);
      assert.equal(result.ok, true);
      const containerd = context(result, "containerd");
      assert.equal(containerd.ok, true);
      assert.deepEqual(containerd.anchors, [`/etc/containerd/certs.d/${registry}/ca.crt`]);
      // curl and other OS-store clients still fail: a warning, not an error.
      assert.equal(context(result, "system").ok, false);
      assert.deepEqual(codes(result, "error"), []);
    });
  });

  test("missing-intermediate: the server sends only its leaf", async () => {
    const leaf = await issueCertificate({
      commonName: HOST,
      dnsNames: [HOST],
      issuer: pki.intermediate,
      aiaIssuerUrl: "http://pki.example.com/intermediate.crt",
      extKeyUsage: ["serverAuth"],
    });
    await withRegistry(chainPem(leaf), leaf.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(registry, pki.root.certPem)));
      const { run, result } = await diagnoseJson(registry, root);
      assert.equal(run.code, 1);
      assert.ok(codes(result).includes("missing-intermediate"), JSON.stringify(result.findings));
      assert.match(result.findings[0]?.message ?? "", /Browsers fetch it through the AIA URL/);
      assert.equal(
        context(result, "containerd").error,
        "tls: failed to verify certificate: x509: certificate signed by unknown authority",
      );
      const stderr = await skopeoError(registry, root, `/etc/containerd/certs.d/${registry}`);
      assert.ok(stderr.includes("x509: certificate signed by unknown authority"), stderr);
    });
  });

  test("self-signed: the registry uses a self-signed certificate", async () => {
    const self = await issueCertificate({ commonName: HOST, dnsNames: [HOST], extKeyUsage: ["serverAuth"] });
    await withRegistry(self.certPem, self.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd());
      const { result } = await diagnoseJson(registry, root);
      assert.deepEqual(codes(result, "error"), ["self-signed"]);
      assert.equal(result.presented[0]?.selfSigned, true);
      assert.match(result.findings[0]?.fix[0] ?? "", /--from-server --expect-fingerprint [0-9A-F:]{95}/);
      const stderr = await skopeoError(registry, root);
      assert.ok(stderr.includes(x509Text(context(result, "containerd").error)), stderr);
    });
  });

  test("hostname-mismatch: the certificate names another host", async () => {
    const other = await issueCertificate({
      commonName: "other.example.com",
      dnsNames: ["other.example.com"],
      issuer: pki.intermediate,
      extKeyUsage: ["serverAuth"],
    });
    await withRegistry(chainPem(other, pki.intermediate), other.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(registry, pki.root.certPem)));
      const { result } = await diagnoseJson(registry, root);
      assert.deepEqual(codes(result, "error"), ["hostname-mismatch"]);
      const error = context(result, "containerd").error;
      assert.equal(
        error,
        "tls: failed to verify certificate: x509: certificate is valid for other.example.com, not repo.example.com",
      );
      const stderr = await skopeoError(registry, root, `/etc/containerd/certs.d/${registry}`);
      assert.ok(stderr.includes(x509Text(error)), stderr);
    });
  });

  test("cn-only: no subjectAltName (curl accepts it, Go runtimes do not)", async () => {
    const cnOnly = await issueCertificate({
      commonName: HOST,
      issuer: pki.intermediate,
      extKeyUsage: ["serverAuth"],
    });
    await withRegistry(chainPem(cnOnly, pki.intermediate), cnOnly.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(registry, pki.root.certPem)));
      const { result } = await diagnoseJson(registry, root);
      assert.deepEqual(codes(result, "error"), ["cn-only"]);
      const error = context(result, "containerd").error ?? "?";
      assert.match(
        error,
        /^tls: failed to verify certificate: x509: certificate relies on legacy Common Name field/,
      );
      const stderr = await skopeoError(registry, root, `/etc/containerd/certs.d/${registry}`);
      assert.ok(stderr.includes("x509: certificate relies on legacy Common Name field"), stderr);
    });
  });

  test("expired: the server certificate has expired", async () => {
    const expired = await issueCertificate({
      commonName: HOST,
      dnsNames: [HOST],
      issuer: pki.intermediate,
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - 30 * DAY),
      extKeyUsage: ["serverAuth"],
    });
    await withRegistry(chainPem(expired, pki.intermediate), expired.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(registry, pki.root.certPem)));
      const { result } = await diagnoseJson(registry, root);
      assert.deepEqual(codes(result, "error"), ["expired"]);
      const error = context(result, "containerd").error ?? "?";
      assert.match(
        error,
        /^tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time \S+Z is after \S+Z$/,
      );
      const stderr = await skopeoError(registry, root, `/etc/containerd/certs.d/${registry}`);
      assert.ok(stderr.includes("x509: certificate has expired or is not yet valid: current time"), stderr);
    });
  });

  test("not-yet-valid: the server certificate starts in the future", async () => {
    const future = await issueCertificate({
      commonName: HOST,
      dnsNames: [HOST],
      issuer: pki.intermediate,
      notBefore: new Date(Date.now() + 10 * DAY),
      notAfter: new Date(Date.now() + 400 * DAY),
      extKeyUsage: ["serverAuth"],
    });
    await withRegistry(chainPem(future, pki.intermediate), future.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(registry, pki.root.certPem)));
      const { result } = await diagnoseJson(registry, root);
      assert.deepEqual(codes(result, "error"), ["not-yet-valid"]);
      assert.match(context(result, "containerd").error ?? "", /is before/);
    });
  });

  test("expiring-soon: trusted, but the certificate expires within 30 days", async () => {
    const soon = await issueCertificate({
      commonName: HOST,
      dnsNames: [HOST],
      issuer: pki.intermediate,
      notAfter: new Date(Date.now() + 5 * DAY),
      extKeyUsage: ["serverAuth"],
    });
    await withRegistry(chainPem(soon, pki.intermediate), soon.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(registry, pki.root.certPem)));
      const { run, result } = await diagnoseJson(registry, root);
      assert.equal(run.code, 0);
      assert.ok(codes(result, "warning").includes("expiring-soon"), JSON.stringify(result.findings));
    });
  });

  test("weak-signature: a SHA-1 signed server certificate", async () => {
    const rsaIntermediate = await issueCertificate({
      commonName: "Example RSA Issuing CA",
      isCA: true,
      pathLen: 0,
      issuer: pki.root,
      keyAlgorithm: "rsa",
    });
    const sha1 = await issueCertificate({
      commonName: HOST,
      dnsNames: [HOST],
      issuer: rsaIntermediate,
      signatureHash: "SHA-1",
      extKeyUsage: ["serverAuth"],
    });
    await withRegistry(chainPem(sha1, rsaIntermediate), sha1.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(registry, pki.root.certPem)));
      const { result } = await diagnoseJson(registry, root);
      assert.deepEqual(codes(result, "error"), ["weak-signature"]);
      const error = context(result, "containerd").error ?? "?";
      assert.match(error, /insecure algorithm SHA1-RSA/);
      const stderr = await skopeoError(registry, root, `/etc/containerd/certs.d/${registry}`);
      assert.ok(stderr.includes("insecure algorithm SHA1-RSA"), stderr);
    });
  });

  test("not-a-ca: the intermediate lacks CA:TRUE", async () => {
    const fakeCa = await issueCertificate({ commonName: "Example Not A CA", isCA: false, issuer: pki.root });
    const leaf = await issueCertificate({
      commonName: HOST,
      dnsNames: [HOST],
      issuer: fakeCa,
      extKeyUsage: ["serverAuth"],
    });
    await withRegistry(chainPem(leaf, fakeCa), leaf.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(registry, pki.root.certPem)));
      const { result } = await diagnoseJson(registry, root);
      assert.deepEqual(codes(result, "error"), ["not-a-ca"]);
      const stderr = await skopeoError(registry, root, `/etc/containerd/certs.d/${registry}`);
      assert.ok(stderr.includes(x509Text(context(result, "containerd").error)), stderr);
    });
  });

  test("insecure-skip-verify: works, but verification is off", async () => {
    await withRegistry(chainPem(pki.leaf, pki.intermediate), pki.leaf.keyPem, async (reg) => {
      const registry = `${HOST}:${reg.port}`;
      const dir = `/etc/containerd/certs.d/${registry}`;
      const root = await buildNodeRoot(
        dirs,
        withContainerd({
          [`${dir}/hosts.toml`]: `server = "https://${registry}"\n\n[host."https://${registry}"]\n  capabilities = ["pull", "resolve"]\n  skip_verify = true\n`,
        }),
      );
      const { run, result } = await diagnoseJson(registry, root);
      assert.equal(run.code, 0, run.stdout);
      const containerd = context(result, "containerd");
      assert.equal(containerd.insecure, true);
      assert.equal(containerd.ok, true);
      const insecure = result.findings.find((f) => f.code === "insecure-skip-verify");
      assert.ok(insecure, JSON.stringify(result.findings));
      assert.equal(insecure.severity, "warning");
      assert.equal(insecure.file, `${dir}/hosts.toml`);
      assert.equal(insecure.line, 5);
    });
  });
});
