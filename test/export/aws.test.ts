/**
 * `regtrust export --format karpenter|eks`: MIME multipart user-data for
 * AL2023 nodes, split by a real MIME parser (mailparser) and by Python's
 * email package (what cloud-init uses to split user-data); the Karpenter
 * objects are valid for the vendored CRDs (aws/karpenter-provider-aws v1.14.1).
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { simpleParser } from "mailparser";
import { parseAllDocuments } from "yaml";
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

/** The fields of EC2NodeClass and NodePool the tests read. */
interface KarpenterDoc {
  kind: string;
  metadata: { name: string };
  spec: {
    userData: string;
    template: {
      spec: { startupTaints: Array<{ key: string; effect: string }>; nodeClassRef: { name: string } };
    };
  };
}

/** The shell part of the user-data, checked by `sh -n` and decoded: the files it writes. */
async function shellPartOf(mime: string): Promise<{ script: string; files: Map<string, string> }> {
  const mail = await simpleParser(mime);
  assert.equal(mail.attachments.length, 1, "one part");
  const [part] = mail.attachments;
  assert.equal(part!.contentType, "text/x-shellscript");
  const script = part!.content.toString("utf8");
  const dir = await dirs.make("aws-shell");
  await writeFile(join(dir, "part.sh"), script);
  const syntax = await runCommand(["sh", "-n", join(dir, "part.sh")], { timeoutMs: 10_000 });
  assert.equal(syntax.code, 0, syntax.stderr);
  const files = new Map<string, string>();
  for (const m of script.matchAll(/printf '%s' '([A-Za-z0-9+/=]+)' \| base64 -d > '([^']+)'/g)) {
    files.set(m[2]!, Buffer.from(m[1]!, "base64").toString("utf8"));
  }
  return { script, files };
}

function assertAl2023Files(files: Map<string, string>, registry: string): void {
  const anchors = [...files.keys()].filter((p) => p.startsWith("/etc/pki/ca-trust/source/anchors/"));
  assert.equal(anchors.length, 1, [...files.keys()].join("\n"));
  assert.equal(files.get(anchors[0]!), caPem);
  const registryCa = [...files.keys()].find((p) =>
    p.startsWith(`/etc/containerd/certs.d/${registry}/regtrust-`),
  );
  assert.equal(files.get(registryCa!), caPem);
}

describe(`export --format karpenter (checked against ${UPSTREAM.karpenter} CRDs)`, () => {
  const nodeClassSchema = crdValidator("karpenter.k8s.aws_ec2nodeclasses.yaml", "v1");
  const nodePoolSchema = crdValidator("karpenter.sh_nodepools.yaml", "v1");

  for (const gate of [false, true]) {
    test(`EC2NodeClass${gate ? " + NodePool with startupTaints (--gate)" : ""}`, async () => {
      const args = [
        "repo.example.com:5000",
        "--ca",
        caFile,
        "--format",
        "karpenter",
        ...(gate ? ["--gate"] : []),
      ];
      const docs = parseAllDocuments(await exportText(args)).map((d) => d.toJS() as KarpenterDoc);
      assert.equal(docs.length, gate ? 2 : 1);
      const [nodeClass, nodePool] = docs;
      assert.ok(nodeClassSchema(nodeClass), errorsOf(nodeClassSchema));
      assert.equal(nodeClass!.kind, "EC2NodeClass");
      const { script, files } = await shellPartOf(nodeClass!.spec.userData);
      assertAl2023Files(files, "repo.example.com:5000");
      assert.match(script, /'update-ca-trust' 'extract'/);
      assert.doesNotMatch(script, /config\.toml|systemctl/, "nodeadm owns config.toml; no restart needed");
      if (gate) {
        assert.ok(nodePoolSchema(nodePool), errorsOf(nodePoolSchema));
        assert.deepEqual(nodePool!.spec.template.spec.startupTaints, [
          { key: "readiness.k8s.io/registry-trust", effect: "NoSchedule" },
        ]);
        assert.equal(nodePool!.spec.template.spec.nodeClassRef.name, nodeClass!.metadata.name);
      }
    });
  }

  test("the CRD check can fail: a startup taint with an unknown effect is rejected", async () => {
    const text = await exportText(["repo.example.com", "--ca", caFile, "--format", "karpenter", "--gate"]);
    const pool = parseAllDocuments(text)[1]!.toJS() as KarpenterDoc;
    pool.spec.template.spec.startupTaints[0]!.effect = "NO_SCHEDULE";
    assert.equal(nodePoolSchema(pool), false);
  });
});

describe("export --format eks", () => {
  for (const gate of [false, true]) {
    test(`launch template user-data${gate ? " with the node group taints (--gate)" : ""}`, async () => {
      const args = ["repo.example.com", "--ca", caFile, "--format", "eks", ...(gate ? ["--gate"] : [])];
      const mime = await exportText(args);
      const { files } = await shellPartOf(mime);
      assertAl2023Files(files, "repo.example.com");
      const dir = await dirs.make("eks-mime");
      await writeFile(join(dir, "user-data"), mime);
      // cloud-init splits user-data with Python's email package; the preamble is where the explanation lives.
      const py = [
        "import email, json, sys",
        "m = email.message_from_file(open(sys.argv[1]))",
        "print(json.dumps({'multipart': m.is_multipart(), 'preamble': m.preamble,",
        "  'parts': [p.get_content_type() for p in m.walk() if not p.is_multipart()]}))",
      ].join("\n");
      const run = await runCommand(["python3", "-c", py, join(dir, "user-data")], { timeoutMs: 30_000 });
      assert.equal(run.code, 0, run.stderr);
      const parsed = JSON.parse(run.stdout) as { multipart: boolean; preamble: string; parts: string[] };
      assert.ok(parsed.multipart);
      assert.deepEqual(parsed.parts, ["text/x-shellscript"]);
      const taints = /^taints: (.*)$/m.exec(parsed.preamble);
      if (!gate) return assert.equal(taints, null);
      // EKS API Taint: key 1-63 characters, effect NO_SCHEDULE | NO_EXECUTE | PREFER_NO_SCHEDULE.
      const list = JSON.parse(taints![1]!) as Array<{ key: string; effect: string }>;
      assert.deepEqual(list, [{ key: "readiness.k8s.io/registry-trust", effect: "NO_SCHEDULE" }]);
      assert.ok(list[0]!.key.length <= 63);
    });
  }
});
