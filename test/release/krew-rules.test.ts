/** scripts/release/krew.ts: the manifest it writes passes, and each of krew's rules it mirrors rejects what krew rejects. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type KrewPlugin, krewManifest, krewManifestProblems } from "../../scripts/release/krew.ts";

const SHA = "a".repeat(64);
const good = (): KrewPlugin =>
  krewManifest("0.1.0", [
    { arch: "amd64", uri: "https://example.invalid/regtrust-0.1.0-linux-amd64.tar.gz", sha256: SHA },
    { arch: "arm64", uri: "https://example.invalid/regtrust-0.1.0-linux-arm64.tar.gz", sha256: SHA },
  ]);

test("the generated manifest passes", () => {
  assert.deepEqual(krewManifestProblems("regtrust.yaml", good()), []);
});

const cases: [string, (p: KrewPlugin) => void, string | RegExp, string?][] = [
  ["file name differs from metadata.name", () => {}, /should be named other/, "other.yaml"],
  ["not .yaml", () => {}, /extension/, "regtrust.yml"],
  [
    "old apiVersion",
    (p) => {
      p.apiVersion = "krew.googlecontainertools.github.com/v1alpha1";
    },
    /apiVersion/,
  ],
  [
    "kind",
    (p) => {
      p.kind = "Plug";
    },
    /kind/,
  ],
  [
    "version without v",
    (p) => {
      p.spec.version = "0.1.0";
    },
    /version/,
  ],
  [
    "version not semver",
    (p) => {
      p.spec.version = "v1.0";
    },
    /version/,
  ],
  [
    "line break in shortDescription",
    (p) => {
      p.spec.shortDescription = "a\nb";
    },
    /line breaks/,
  ],
  [
    "no platforms",
    (p) => {
      p.spec.platforms = [];
    },
    /platform specified/,
  ],
  [
    "uppercase sha256",
    (p) => {
      p.spec.platforms[0]!.sha256 = "A".repeat(64);
    },
    /sha256/,
  ],
  [
    "no bin",
    (p) => {
      p.spec.platforms[0]!.bin = "";
    },
    /bin/,
  ],
  [
    "empty files",
    (p) => {
      p.spec.platforms[0]!.files = [];
    },
    /files/,
  ],
  [
    "selector key",
    (p) => {
      p.spec.platforms[0]!.selector = { matchLabels: { os: "linux", cpu: "x" } };
    },
    /key cpu/,
  ],
  [
    "overlap",
    (p) => {
      p.spec.platforms[1]!.selector = { matchLabels: { os: "linux", arch: "amd64" } };
    },
    /overlap/,
  ],
  [
    "unsupported platform",
    (p) => {
      p.spec.platforms[1]!.selector = { matchLabels: { os: "linux", arch: "riscv64" } };
    },
    /no supported platform/,
  ],
];

for (const [name, mutate, expected, file] of cases) {
  test(`rejected: ${name}`, () => {
    const plugin = good();
    mutate(plugin);
    const problems = krewManifestProblems(file ?? "regtrust.yaml", plugin);
    assert.ok(
      problems.some((p) => (typeof expected === "string" ? p.includes(expected) : expected.test(p))),
      problems.join("; "),
    );
  });
}
