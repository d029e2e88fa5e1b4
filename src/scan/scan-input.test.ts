import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InputError } from "../core/errors.ts";
import { detectFormat, parseScanInput } from "./scan-input.ts";
import { scanTargets } from "./scan-targets.ts";
import { imagesOf } from "./workload-images.ts";

const podSpec = {
  initContainers: [{ name: "i", image: "repo.example.com:5000/init:1" }],
  containers: [{ name: "c", image: "nginx:1.27" }],
  ephemeralContainers: [{ name: "e", image: "other.example.com/debug@sha256:" + "a".repeat(64) }],
};
const IMAGES = [
  "repo.example.com:5000/init:1",
  "nginx:1.27",
  `other.example.com/debug@sha256:${"a".repeat(64)}`,
];

describe("scan input: format detection", () => {
  const cases: Array<[string, string, "lines" | "kubernetes"]> = [
    ["host list", "repo.example.com:5000\nother.example.com\n", "lines"],
    ["host list with comments", "# registries\nrepo.example.com\n", "lines"],
    ["image list", "nginx:1.27\nrepo.example.com/a/b:1\n", "lines"],
    ["kubectl JSON", '{"apiVersion":"v1","kind":"List","items":[]}', "kubernetes"],
    ["JSON after a comment", '# x\n  {"kind":"Pod"}', "kubernetes"],
    ["YAML manifest", "apiVersion: v1\nkind: Pod\n", "kubernetes"],
    ["multi-doc YAML starting with ---", "---\nkind: Pod\n", "kubernetes"],
    ["YAML with kind first", "kind: Deployment\napiVersion: apps/v1\n", "kubernetes"],
  ];
  for (const [name, text, want] of cases) test(name, () => assert.equal(detectFormat(text), want));
});

describe("scan input: images of Kubernetes objects", () => {
  const template = { template: { spec: podSpec } };
  const cases: Array<[string, unknown, string[]]> = [
    ["Pod", { kind: "Pod", spec: podSpec }, IMAGES],
    ...["Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController", "Job"].map(
      (kind): [string, unknown, string[]] => [kind, { kind, spec: template }, IMAGES],
    ),
    ["CronJob", { kind: "CronJob", spec: { jobTemplate: { spec: template } } }, IMAGES],
    ["List of Pods", { kind: "List", items: [{ kind: "Pod", spec: podSpec }, { kind: "Service" }] }, IMAGES],
    ["PodList", { kind: "PodList", items: [{ kind: "Pod", spec: podSpec }] }, IMAGES],
    ["bare array of objects", [{ kind: "Pod", spec: podSpec }], IMAGES],
    ["Service: none", { kind: "Service", spec: { ports: [] } }, []],
    ["Pod without containers", { kind: "Pod", spec: {} }, []],
    ["blank image skipped", { kind: "Pod", spec: { containers: [{ image: " " }, { name: "x" }] } }, []],
    ["not an object", "repo.example.com", []],
    ["null", null, []],
  ];
  for (const [name, doc, want] of cases) test(name, () => assert.deepEqual(imagesOf(doc), want));
});

describe("scan input: parsing", () => {
  test("lines: blanks, whole-line and trailing comments ignored, line numbers kept", () => {
    const { format, entries } = parseScanInput(
      "# list\n\nrepo.example.com:5000  # main\n  other.example.com\n",
      "f",
    );
    assert.equal(format, "lines");
    assert.deepEqual(entries, [
      { text: "repo.example.com:5000", line: 3 },
      { text: "other.example.com", line: 4 },
    ]);
  });

  test("multi-document YAML: every document's images", () => {
    const yaml = [
      "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: repo.example.com:5000/a:1",
      "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - image: nginx",
      "apiVersion: v1\nkind: ConfigMap\ndata: {}",
    ].join("\n---\n");
    const { entries } = parseScanInput(yaml, "m.yaml");
    assert.deepEqual(
      entries.map((e) => e.text),
      ["repo.example.com:5000/a:1", "nginx"],
    );
  });

  test("broken YAML is an InputError naming the file", () => {
    assert.throws(
      () => parseScanInput("kind: Pod\nspec: [unclosed\n", "bad.yaml"),
      (e: unknown) => {
        return e instanceof InputError && /^bad\.yaml: document 1 does not parse/.test(e.message);
      },
    );
  });
});

describe("scan targets: registry dedupe", () => {
  const cases: Array<[string, string[], string[]]> = [
    [
      "same registry, many images",
      ["repo.example.com:5000/a:1", "repo.example.com:5000/b@sha256:" + "b".repeat(64)],
      ["repo.example.com:5000"],
    ],
    [
      "port is part of the registry key",
      ["repo.example.com/a", "repo.example.com:443/a"],
      ["repo.example.com", "repo.example.com:443"],
    ],
    [
      "Docker Hub spellings collapse (manifest images: bare nginx is an image)",
      ["nginx", "docker.io/library/nginx:1", "index.docker.io/x/y"],
      ["docker.io"],
    ],
    [
      "host names are case-insensitive",
      ["Repo.Example.com:5000", "repo.example.com:5000/a"],
      ["repo.example.com:5000"],
    ],
    ["a bare word on a line is a host", ["nginx", "nginx:5000"], ["nginx", "nginx:5000"]],
    [
      "manifest images keep the registry of the reference",
      ["Repo.example.com:5000/a", "repo.example.com:5000/b:2", "localhost/x"],
      ["repo.example.com:5000", "localhost"],
    ],
    [
      "order of first appearance",
      ["other.example.com", "repo.example.com", "other.example.com/x"],
      ["other.example.com", "repo.example.com"],
    ],
  ];
  for (const [name, texts, want] of cases) {
    test(name, () => {
      const targets = scanTargets(
        // Manifest entries (line null) when the case is about images, else lines.
        texts.map((text, i) => ({ text, line: name.includes("manifest") ? null : i + 1 })),
        "f",
      );
      assert.deepEqual(
        targets.map((t) => t.registry),
        want,
      );
    });
  }

  test("first entry per registry is the one diagnosed", () => {
    const [target] = scanTargets(
      [
        { text: "repo.example.com:5000/a:1", line: 1 },
        { text: "repo.example.com:5000", line: 2 },
      ],
      "f",
    );
    assert.equal(target?.input, "repo.example.com:5000/a:1");
  });

  test("a bad line is an InputError naming file and line", () => {
    assert.throws(
      () =>
        scanTargets(
          [
            { text: "ok.example.com", line: 1 },
            { text: "bad host:99999", line: 7 },
          ],
          "list.txt",
        ),
      (e: unknown) => e instanceof InputError && e.message.startsWith("list.txt:7: invalid target"),
    );
  });
});
