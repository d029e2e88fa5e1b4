/**
 * `regtrust export --format cluster-api`: the KubeadmConfigTemplate is valid
 * for the CRD's OpenAPI v3 schema (vendored, kubernetes-sigs/cluster-api
 * v1.14.0, version v1beta2) and carries the cloud-init export's files and
 * commands; --gate adds the startup taint to joinConfiguration.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";
import { exportText, writeCaFile } from "./export-support.ts";
import { crdValidator, errorsOf, UPSTREAM } from "./upstream-schemas.ts";

const dirs = new TempDirs();
let caFile: string;
let caPem: string;

before(async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  caPem = pki.root.certPem;
  caFile = await writeCaFile(dirs, pki);
});
after(() => dirs.cleanup());

interface Template {
  apiVersion: string;
  kind: string;
  spec: {
    template: {
      spec: {
        files?: Array<{ path: string; content: string; permissions: string; owner: string }>;
        preKubeadmCommands: string[];
        joinConfiguration?: { nodeRegistration: { taints: Array<{ key: string; effect: string }> } };
      };
    };
  };
}

const CASES = [
  { name: "containerd,system on debian", args: ["--runtime", "containerd,system"], gate: false },
  { name: "containerd,system on rhel, --gate", args: ["--distro", "rhel"], gate: true },
  { name: "k3s", args: ["--runtime", "k3s"], gate: false },
];

describe(`export --format cluster-api (checked against ${UPSTREAM.clusterApi} CRD, v1beta2)`, () => {
  const validate = crdValidator("bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.yaml", "v1beta2");

  for (const c of CASES) {
    test(`${c.name}: valid KubeadmConfigTemplate carrying the plan`, async () => {
      const base = ["repo.example.com:5000", "--ca", caFile, ...c.args];
      const text = await exportText([...base, "--format", "cluster-api", ...(c.gate ? ["--gate"] : [])]);
      const template = parse(text) as Template;
      assert.ok(validate(template), errorsOf(validate));
      assert.equal(template.apiVersion, "bootstrap.cluster.x-k8s.io/v1beta2");
      assert.equal(template.kind, "KubeadmConfigTemplate");
      const spec = template.spec.template.spec;
      const cloudInit = parse(await exportText([...base, "--format", "cloud-init"])) as {
        write_files?: Array<{ path: string; content: string }>;
        runcmd: string[][];
      };
      assert.deepEqual(
        (spec.files ?? []).map((f) => [f.path, f.content]),
        (cloudInit.write_files ?? []).map((f) => [f.path, f.content]),
      );
      assert.equal(spec.preKubeadmCommands.length, cloudInit.runcmd.length);
      // cloud-init writes runcmd strings into one shell script (Ignition: /etc/kubeadm.sh): it must parse as sh.
      const dir = await dirs.make("capi-commands");
      await writeFile(join(dir, "pre.sh"), `${spec.preKubeadmCommands.join("\n")}\n`);
      const syntax = await runCommand(["sh", "-n", join(dir, "pre.sh")], { timeoutMs: 10_000 });
      assert.equal(syntax.code, 0, syntax.stderr);
      if (c.args.includes("k3s")) return;
      assert.ok(
        spec.files!.some((f) => f.path.includes("/certs.d/repo.example.com:5000/") && f.content === caPem),
      );
      if (c.gate) {
        assert.deepEqual(spec.joinConfiguration?.nodeRegistration.taints, [
          { key: "readiness.k8s.io/registry-trust", effect: "NoSchedule" },
        ]);
        assert.match(text, /Something must remove it/);
      } else assert.equal(spec.joinConfiguration, undefined);
    });
  }

  test("the schema check can fail: a file with an unknown encoding is rejected", async () => {
    const text = await exportText(["repo.example.com", "--ca", caFile, "--format", "cluster-api"]);
    const template = parse(text) as Template;
    (template.spec.template.spec.files![0] as unknown as { encoding: string }).encoding = "b64";
    assert.equal(validate(template), false);
  });
});
