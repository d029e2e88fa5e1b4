/**
 * `--replace` in each runtime planner, on real node trees (no fs mocks): what
 * the planner writes when the anchors regtrust installed earlier must give
 * way to a new bundle. The files regtrust owns and nobody rewrites are
 * deleted by trust/retire-files.ts (tested in trust/rotation.test.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Certificate } from "../pki/certificate.ts";
import { createPrivatePki } from "../pki/generate.ts";
import { parseCertificate } from "../pki/parse-certificate.ts";
import { goAppendCertsFromPEM, toPem } from "../pki/read-bundle.ts";
import type { WriteChange } from "../plan/plan.ts";
import { caBundle, type ReplaceScope, type TrustChange } from "./ca-install.ts";
import { certsDirCaWrite } from "./certs-dir-plan.ts";
import { readContainerdConfig } from "./containerd/config.ts";
import { withoutCaFiles } from "./containerd/hosts-toml-edit.ts";
import { planContainerdTrust } from "./containerd/plan-trust.ts";
import { CONFIG_V2_CERTS_D } from "./containerd/testing/fixtures.ts";
import { planK3sTrust } from "./k3s/plan-trust.ts";
import { readSystemStore } from "./system/system-store.ts";
import { planSystemStoreTrust } from "./system/system-store-plan.ts";
import { makeNodeRoot } from "./testing/node-root.ts";
import { loadYamlParser } from "./yaml-parser.ts";

await loadYamlParser();

async function root(name: string): Promise<Certificate> {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"], rootName: name });
  return parseCertificate(pki.root.der);
}
const [A, B, OPERATOR] = await Promise.all([root("Root A"), root("Root B"), root("Operator's own")]);
const REG = "repo.example.com:5000";
const scope = (ownedFiles: string[], ever: Certificate[]): ReplaceScope => ({
  ownedFiles,
  ever: new Set(ever.map((c) => c.sha256)),
});
const trust = (certs: Certificate[], replace?: ReplaceScope): Extract<TrustChange, { kind: "trust" }> => ({
  kind: "trust",
  ca: caBundle(certs),
  ...(replace ? { replace } : {}),
});
const written = (changes: readonly { kind: string; path: string }[], path: string) =>
  changes.find((c) => c.path === path && c.kind === "write") as WriteChange | undefined;
const shas = (content: string | Uint8Array) =>
  goAppendCertsFromPEM(typeof content === "string" ? new Uint8Array(Buffer.from(content)) : content).map(
    (c) => c.sha256,
  );

describe("withoutCaFiles (containerd hosts.toml)", () => {
  const dir = `/etc/containerd/certs.d/${REG}`;
  const table = (ca: string) =>
    `server = "https://${REG}"\n\n[host."https://${REG}"]\n  capabilities = ["pull"]\n  ${ca}\n`;
  const cases: { name: string; ca: string; retired: string[]; want: string | null }[] = [
    {
      name: "drops a relative entry",
      ca: 'ca = ["regtrust-a.crt", "regtrust-b.crt"]',
      retired: [`${dir}/regtrust-a.crt`],
      want: 'ca = ["regtrust-b.crt"]',
    },
    {
      name: "drops an absolute entry, keeps the operator's",
      ca: `ca = ["/etc/pki/corp.pem", "${dir}/regtrust-a.crt"] # corp`,
      retired: [`${dir}/regtrust-a.crt`],
      want: 'ca = ["/etc/pki/corp.pem"] # corp',
    },
    { name: "a single string", ca: 'ca = "regtrust-a.crt"', retired: [`${dir}/regtrust-a.crt`], want: "" },
    {
      name: "nothing to drop: unchanged",
      ca: 'ca = ["corp.pem"]',
      retired: [`${dir}/regtrust-a.crt`],
      want: 'ca = ["corp.pem"]',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const out = withoutCaFiles(table(c.ca), dir, REG, c.retired);
      const expected = c.want === "" ? table("").replace("  \n", "") : table(c.want ?? "");
      assert.equal(out, expected);
    });
  }
});

describe("containerd planner with --replace", () => {
  test("hosts.toml names only the new bundle file; the operator's ca entry stays", () => {
    const dir = `/etc/containerd/certs.d/${REG}`;
    const oldFile = `regtrust-${caBundle([A]).id}.crt`;
    const hosts = `server = "https://${REG}"\n\n[host."https://${REG}"]\n  capabilities = ["pull", "resolve"]\n  ca = ["/etc/pki/corp.pem", "${oldFile}"]\n`;
    const node = makeNodeRoot({
      "/etc/containerd/config.toml": CONFIG_V2_CERTS_D,
      [`${dir}/hosts.toml`]: hosts,
      [`${dir}/${oldFile}`]: toPem([A]),
    });
    try {
      const change = trust([A, B], scope([`${dir}/${oldFile}`], [A]));
      const planned = planContainerdTrust({
        fs: node.fs,
        config: readContainerdConfig(node.fs),
        version: "1.7.24",
        registry: REG,
        change,
      });
      assert.equal(planned.refusal, null);
      const newFile = `regtrust-${change.ca.id}.crt`;
      const toml = written(planned.plan.changes, `${dir}/hosts.toml`);
      assert.match(String(toml?.content), new RegExp(`ca = \\["/etc/pki/corp.pem", "${newFile}"\\]`));
      assert.doesNotMatch(String(toml?.content), new RegExp(oldFile));
      assert.deepEqual(shas(written(planned.plan.changes, `${dir}/${newFile}`)!.content), [
        A.sha256,
        B.sha256,
      ]);
      const additive = planContainerdTrust({
        fs: node.fs,
        config: readContainerdConfig(node.fs),
        version: "1.7.24",
        registry: REG,
        change: trust([A, B]),
      });
      assert.match(String(written(additive.plan.changes, `${dir}/hosts.toml`)?.content), new RegExp(oldFile));
    } finally {
      node.cleanup();
    }
  });
});

describe("k3s planner with --replace", () => {
  test("regtrust's earlier anchors leave the ca_file content; the operator's stay", () => {
    const previous = "/etc/rancher/k3s/regtrust/old.crt";
    const node = makeNodeRoot({
      "/etc/rancher/k3s/registries.yaml": `configs:\n  "${REG}":\n    tls:\n      ca_file: ${previous}\n`,
      [previous]: toPem([OPERATOR, A]),
    });
    try {
      const change = trust([B], scope([previous], [A]));
      const planned = planK3sTrust(node.fs, "k3s", REG, change);
      const caPath = planned.plan.changes.find((c) => c.path.endsWith(".crt"))!;
      assert.deepEqual(shas((caPath as WriteChange).content), [OPERATOR.sha256, B.sha256]);
      const additive = planK3sTrust(node.fs, "k3s", REG, trust([B]));
      const addedPath = additive.plan.changes.find((c) => c.path.endsWith(".crt")) as WriteChange;
      assert.deepEqual(shas(addedPath.content), [OPERATOR.sha256, A.sha256, B.sha256]);
    } finally {
      node.cleanup();
    }
  });
});

describe("certs.d (Docker, containers/image) with --replace", () => {
  const dir = `/etc/docker/certs.d/${REG}`;
  test("regtrust's own ca.crt is rewritten with the bundle", () => {
    const node = makeNodeRoot({ [`${dir}/ca.crt`]: toPem([A]) });
    try {
      const write = certsDirCaWrite(node.fs, dir, caBundle([B]), "r", scope([`${dir}/ca.crt`], [A]));
      assert.equal(write?.path, `${dir}/ca.crt`);
      assert.deepEqual(shas(write!.content), [B.sha256]);
    } finally {
      node.cleanup();
    }
  });
  test("an operator's ca.crt is kept; the bundle goes beside it", () => {
    const node = makeNodeRoot({ [`${dir}/ca.crt`]: toPem([OPERATOR]) });
    try {
      const write = certsDirCaWrite(node.fs, dir, caBundle([B]), "r", scope([], [A]));
      assert.equal(write?.path, `${dir}/regtrust-${caBundle([B]).id}.crt`);
    } finally {
      node.cleanup();
    }
  });
});

describe("OS store planner with --replace", () => {
  test("one file per CA, and a --fresh rebuild so the links of retired files go too", () => {
    const node = makeNodeRoot({ "/etc/os-release": 'ID=debian\nPRETTY_NAME="Debian"\n' });
    try {
      const store = readSystemStore(node.fs);
      const replace = planSystemStoreTrust(store, REG, caBundle([A, B]), true);
      assert.equal(replace.plan.changes.length, 2);
      assert.deepEqual(replace.plan.commands[0]?.argv.at(-1), "--fresh");
      const additive = planSystemStoreTrust(store, REG, caBundle([A, B]));
      assert.notEqual(additive.plan.commands[0]?.argv.at(-1), "--fresh");
    } finally {
      node.cleanup();
    }
  });
});
