/**
 * Differential suite: regtrust's Docker view against moby's own registry
 * package (Debian 12's golang-github-docker-docker-dev, Docker 20.10.24), built
 * offline by scripts/oracle/moby.sh and run in a private mount namespace with
 * its own /etc/docker and /etc/hosts. Each case's daemon options
 * (insecure-registries with the built-in 127.0.0.0/8, CIDRs, exact entries,
 * registry-mirrors) and certs.d tree must give the same pull endpoints:
 * scheme, host, mirror or not, skip-verify, CA files (by CN), client pairs,
 * or the same failure.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { insecureEntryOf } from "../../src/node/docker/daemon-json.ts";
import { BUILTIN_INSECURE_CIDRS_20_10 } from "../../src/node/docker/insecure-match.ts";
import { resolveDockerEndpoints } from "../../src/node/docker/resolve-endpoints.ts";
import { HostFs } from "../../src/node/host-fs.ts";
import { makeOraclePki, type OraclePki } from "./containerd/pki.ts";
import { type MobyCase, mobyCases } from "./moby/cases.ts";

const work = mkdtempSync(join(tmpdir(), "regtrust-moby-oracle-"));
after(() => rmSync(work, { recursive: true, force: true }));
const pki = makeOraclePki(work);
const cases = mobyCases(230, 22);
const etcDocker = join(work, "etc-docker");
const certsD = join(etcDocker, "certs.d");

function pem(token: string, p: OraclePki): string {
  const ca = /^@ca(\d+)$/.exec(token);
  if (ca) return p.cas[Number(ca[1])] as string;
  if (token === "@clientCert") return p.clientCert;
  if (token === "@clientKey") return p.clientKey;
  if (token === "@otherKey") return p.otherKey;
  if (token === "@garbage")
    return "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n";
  return token;
}

const hostsLines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost"];
for (const c of cases) {
  for (const [rel, content] of Object.entries(c.files)) {
    const path = join(certsD, rel);
    mkdirSync(content === null ? path : dirname(path), { recursive: true });
    if (content !== null) writeFileSync(path, pem(content, pki));
  }
  for (const [name, address] of Object.entries(c.hosts)) hostsLines.push(`${address} ${name}`);
}
mkdirSync(certsD, { recursive: true });
const hostsFile = join(work, "hosts");
writeFileSync(hostsFile, `${hostsLines.join("\n")}\n`);

interface Endpoint {
  scheme: string;
  host: string;
  mirror: boolean;
  skipVerify: boolean;
  cas: string[];
  clientCerts: number;
}
type View = { outcome: string; endpoints: Endpoint[] };

function cnsOf(paths: string[]): string[] {
  const names: string[] = [];
  for (const path of paths) {
    for (const block of readFileSync(path, "utf8").match(
      /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
    ) ?? []) {
      try {
        const cn = /CN=([^\n]*)/.exec(new X509Certificate(block).subject)?.[1] ?? "?";
        if (!names.includes(cn)) names.push(cn);
      } catch {
        // Go's AppendCertsFromPEM skips a block that does not parse.
      }
    }
  }
  return names;
}

function regtrustView(c: MobyCase): View {
  const addresses = new Map<string, string[]>([["localhost", ["127.0.0.1", "::1"]]]);
  for (const [name, address] of Object.entries(c.hosts)) addresses.set(name, [address]);
  const r = resolveDockerEndpoints(new HostFs("/"), c.registry, {
    insecure: c.insecure.map((raw) => insecureEntryOf(raw, null)),
    mirrors: c.mirrors,
    addressesOf: (host) => addresses.get(host) ?? null,
    builtinCidrs: BUILTIN_INSECURE_CIDRS_20_10,
    certsDir: certsD,
  });
  return {
    outcome: r.error === null ? "ok" : "error",
    endpoints: r.endpoints.map((e) => ({
      scheme: e.scheme,
      host: e.host,
      mirror: e.origin === "mirror",
      skipVerify: e.skipVerify,
      cas: cnsOf(e.caFiles),
      clientCerts: e.clientCerts.length,
    })),
  };
}

test(`moby 20.10.24's registry package and regtrust agree on ${cases.length} daemon configurations`, () => {
  execFileSync("sh", ["scripts/oracle/moby.sh", "build"], { encoding: "utf8", timeout: 600_000 });
  const input = JSON.stringify(
    cases.map((c) => ({ id: c.id, insecure: c.insecure, mirrors: c.mirrors, registry: c.registry })),
  );
  const stdout = execFileSync("sh", ["scripts/oracle/moby.sh", "run", etcDocker, hostsFile], {
    input,
    encoding: "utf8",
    timeout: 300_000,
    maxBuffer: 64 << 20,
  });
  const oracle = new Map<string, { error?: string; configError?: string; endpoints: Endpoint[] }>();
  for (const line of stdout.trim().split("\n")) {
    const o = JSON.parse(line);
    oracle.set(o.id, o);
  }
  const disagreements: string[] = [];
  for (const c of cases) {
    const o = oracle.get(c.id);
    assert.ok(o, `no oracle answer for ${c.id}`);
    assert.equal(o.configError, undefined, `${c.id}: the generator made an invalid daemon config`);
    const theirs: View = {
      outcome: o.error ? "error" : "ok",
      endpoints: o.endpoints.map((e) => ({ ...e, cas: e.cas.filter((n, i, a) => a.indexOf(n) === i) })),
    };
    const ours = regtrustView(c);
    try {
      assert.deepEqual(ours, theirs);
    } catch {
      disagreements.push(
        `${c.id} (${c.registry}, insecure ${JSON.stringify(c.insecure)}, hosts ${JSON.stringify(c.hosts)})\n  moby 20.10: ${JSON.stringify(theirs)} ${o.error ?? ""}\n  regtrust:   ${JSON.stringify(ours)}`,
      );
    }
  }
  assert.equal(
    disagreements.length,
    0,
    `${disagreements.length} of ${cases.length} disagree:\n${disagreements.join("\n")}`,
  );
});
