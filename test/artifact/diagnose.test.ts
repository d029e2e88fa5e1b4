/**
 * Artifact tier: `diagnose` once per important finding code, through the
 * built artifact as a process. Each endpoint is broken in exactly one way
 * (test/support/error-scenarios.ts, the same scenarios whose real containerd
 * errors feed the classifier) and the node trusts the private root where the
 * scenario says so, so the finding must be that one problem.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rootCertificates } from "node:tls";
import { createPrivatePki, issueCertificate } from "../../src/pki/generate.ts";
import { buildNodeRoot, debianBase, type NodeFiles, withContainerd } from "../integration/node-root.ts";
import { type ScenarioName, type ScenarioPki, setupScenario } from "../support/error-scenarios.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { startRegistry } from "../support/registry.ts";
import { makeScenarioPki } from "../support/scenario-pki.ts";
import { TempDirs } from "../support/tmp.ts";
import { assertNoInternalError, runArtifact, selectedArtifact, transcript } from "./artifact.ts";

const artifact = selectedArtifact();
const dirs = new TempDirs();
let pki: ScenarioPki;

before(async () => {
  await ensureTestHosts();
  pki = await makeScenarioPki();
});
after(() => dirs.cleanup());

/** containerd reads this registry's CA from hosts.toml (config_path set). */
function hostsTomlTrusting(registry: string, caPem: string): NodeFiles {
  const dir = `/etc/containerd/certs.d/${registry}`;
  return {
    [`${dir}/hosts.toml`]: `server = "https://${registry}"\n[host."https://${registry}"]\n  ca = "${dir}/ca.crt"\n`,
    [`${dir}/ca.crt`]: caPem,
  };
}

interface Diagnosis {
  code: number;
  text: string;
  json: { ok: boolean; findings: Array<{ code: string; severity: string; message: string }> };
}

async function diagnose(target: string, root: string): Promise<Diagnosis> {
  const argv = ["diagnose", target, "--root", root, "--timeout", "5000"];
  const [json, text] = await Promise.all([
    runArtifact(artifact, [...argv, "--json"]),
    runArtifact(artifact, argv),
  ]);
  assertNoInternalError(json);
  assertNoInternalError(text);
  assert.equal(json.code, text.code, "text and --json agree on the exit code");
  let parsed: Diagnosis["json"];
  try {
    parsed = JSON.parse(json.stdout);
  } catch {
    throw new Error(`diagnose --json printed no JSON\n${transcript(json)}`);
  }
  return { code: json.code, text: text.stdout, json: parsed };
}

const errorCodes = (d: Diagnosis) => d.json.findings.filter((f) => f.severity === "error").map((f) => f.code);

describe(`diagnose, one finding code at a time (${artifact.label})`, () => {
  const scenarios: ScenarioName[] = [
    "unknown-authority",
    "hostname-mismatch",
    "expired",
    "self-signed",
    "plain-http",
    "connection-refused",
    "dns-failure",
  ];
  for (const name of scenarios) {
    test(`${name}: exit 1, the finding in --json and in the text`, async () => {
      const endpoint = await setupScenario(name, pki);
      try {
        const trusted = endpoint.trustPem ? hostsTomlTrusting(endpoint.registryHost, endpoint.trustPem) : {};
        const root = await buildNodeRoot(dirs, withContainerd(trusted));
        const d = await diagnose(endpoint.registryHost, root);
        assert.equal(d.code, 1);
        assert.equal(d.json.ok, false);
        assert.ok(errorCodes(d).includes(name), `${name} not in ${JSON.stringify(d.json.findings)}`);
        assert.match(d.text, new RegExp(name));
      } finally {
        await endpoint.stop();
      }
    });
  }

  test("missing-intermediate: the server sends only its leaf (which names its issuer's AIA URL)", async () => {
    const own = await createPrivatePki({ hostnames: ["repo.example.com"] });
    const leaf = await issueCertificate({
      commonName: "repo.example.com",
      dnsNames: ["repo.example.com"],
      issuer: own.intermediate,
      aiaIssuerUrl: "http://pki.example.com/intermediate.crt",
    });
    const registry = await startRegistry({ tls: { certPem: `${leaf.certPem}\n`, keyPem: leaf.keyPem } });
    try {
      const target = `repo.example.com:${registry.port}`;
      const root = await buildNodeRoot(dirs, withContainerd(hostsTomlTrusting(target, own.root.certPem)));
      const d = await diagnose(target, root);
      assert.equal(d.code, 1);
      assert.deepEqual(errorCodes(d), ["missing-intermediate"]);
    } finally {
      await registry.stop();
    }
  });

  test("config-path-unset: hosts.toml exists but containerd's CRI plugin never reads certs.d", async () => {
    const registry = await startRegistry({
      tls: { certPem: pki.leaf.certPem + pki.intermediatePem, keyPem: pki.leaf.keyPem },
    });
    try {
      const target = `repo.example.com:${registry.port}`;
      const root = await buildNodeRoot(dirs, {
        ...debianBase(),
        "/etc/containerd/config.toml": 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n',
        ...hostsTomlTrusting(target, pki.rootPem),
      });
      const d = await diagnose(target, root);
      assert.equal(d.code, 1);
      assert.ok(errorCodes(d).includes("config-path-unset"), JSON.stringify(d.json.findings));
      assert.match(d.text, /config_path/);
    } finally {
      await registry.stop();
    }
  });

  test("a healthy registry: exit 0, every context ok, no finding", async () => {
    const registry = await startRegistry({
      tls: { certPem: pki.leaf.certPem + pki.intermediatePem, keyPem: pki.leaf.keyPem },
    });
    try {
      const target = `repo.example.com:${registry.port}`;
      const osBundle = `${rootCertificates.join("\n")}\n${pki.rootPem}`;
      const root = await buildNodeRoot(
        dirs,
        withContainerd({
          ...hostsTomlTrusting(target, pki.rootPem),
          "/etc/ssl/certs/ca-certificates.crt": osBundle,
        }),
      );
      const d = await diagnose(target, root);
      assert.equal(d.code, 0, JSON.stringify(d.json.findings));
      assert.equal(d.json.ok, true);
      assert.deepEqual(errorCodes(d), []);
    } finally {
      await registry.stop();
    }
  });
});
