/**
 * Issue #10 (5): property fuzzing of every reader of untrusted input. Each
 * reader must return a value or throw one of the typed errors allowed for it
 * (never TypeError/RangeError/a hang). Allowed per reader:
 * - parseTarget: InputError (bad operator input, exit 2).
 * - classifyPullError: never throws (unknown text → a generic finding).
 * - readCertificates (PEM/DER/PKCS#7): InputError only when no certificate at all; bad blocks are data.
 * - hosts.toml, config.toml, registries.yaml (k3s), daemon.json, registries.conf:
 *   InputError (malformed file, names the file) or HostFsError (unsafe path).
 * Seeded: the seed is printed so a failure can be replayed with FC_SEED.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { InputError } from "../../src/core/errors.ts";
import { classifyPullError } from "../../src/k8s/classify-pull-error.ts";
import { readContainerdConfig } from "../../src/node/containerd/config.ts";
import { parseHostsToml } from "../../src/node/containerd/hosts-toml.ts";
import { readRegistriesConf } from "../../src/node/containers/registries-conf.ts";
import { dockerTrustFor } from "../../src/node/docker.ts";
import { HostFs, HostFsError } from "../../src/node/host-fs.ts";
import { k3sTrustFor } from "../../src/node/k3s.ts";
import { loadYamlParser } from "../../src/node/yaml-parser.ts";
import { readCertificates } from "../../src/pki/read-bundle.ts";
import { parseManifests } from "../../src/scan/scan-input.ts";
import { parseTarget } from "../../src/target/parse-target.ts";
import { TempDirs } from "../support/tmp.ts";

// The k3s reader takes the parser that commands load on demand (src/node/yaml-parser.ts).
await loadYamlParser();

const dirs = new TempDirs();
after(() => dirs.cleanup());

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const runs = Number(process.env.REGTRUST_FUZZ_RUNS ?? 200);
console.log(`# fuzz seed ${seed} (replay: FC_SEED=${seed})`);

function typed(allowed: Array<new (...a: never[]) => Error>, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((t) => e instanceof t)) throw e;
    assert.ok((e as Error).message.length > 0, "typed error without a message");
  }
}

// Text that looks like the formats, then mutated, hits deeper paths than noise.
const tomlish = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc
    .array(
      fc.constantFrom(
        'server = "https://x"\n',
        '[host."https://m:5000"]\n',
        "ca = [1, 2]\n",
        'ca = "../../etc/shadow"\n',
        "skip_verify = 1\n",
        "version = 2\n",
        '[plugins."io.containerd.grpc.v1.cri".registry]\n',
        'config_path = "/etc/x"\n',
        "[[",
        "= =\n",
        'capabilities = ["pull", 3]\n',
        "\u0000",
        'k = """\n',
      ),
      { maxLength: 12 },
    )
    .map((p) => p.join("")),
);
const yamlish = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc
    .array(
      fc.constantFrom(
        "configs:\n",
        "  repo.example.com:5000:\n",
        "    tls:\n",
        "      ca_file: /x\n",
        "      insecure_skip_verify: yes\n",
        "mirrors: [\n",
        "- &a [*a]\n",
        "auth: {password: 1}\n",
        "\t",
        "!!binary x\n",
        "? [a]\n: b\n",
      ),
      { maxLength: 12 },
    )
    .map((p) => p.join("")),
);
const jsonish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json(),
  fc
    .array(
      fc.constantFrom(
        '{"insecure-registries":',
        '["repo.example.com:5000"',
        ", 1",
        "null",
        "}",
        "]",
        '"registry-mirrors":{}',
      ),
      { maxLength: 8 },
    )
    .map((p) => p.join("")),
);

function nodeWith(files: Record<string, string | Uint8Array>): HostFs {
  return new HostFs(rootFor(files));
}
let base: string | undefined;
let n = 0;
function rootFor(files: Record<string, string | Uint8Array>): string {
  const root = join(base as string, String(n++));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

describe("fuzz: readers of untrusted input (no crash, no hang, typed errors only)", () => {
  it("setup", async () => {
    base = await dirs.make("fuzz");
  });
  it("target parser: InputError only", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: "grapheme", maxLength: 80 }),
          fc.webUrl(),
          fc.domain(),
        ),
        (s) => typed([InputError], () => parseTarget(s)),
      ),
      { seed, numRuns: runs * 5 },
    );
  });
  it("pull-error classifier: never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 2000 }),
          fc
            .constantFrom(
              "x509: certificate signed by unknown authority",
              "tls: failed to verify certificate: x509:",
              "dial tcp: lookup repo.example.com",
              "http: server gave HTTP response to HTTPS client",
            )
            .chain((p) => fc.string().map((s) => p + s + p)),
        ),
        (s) => {
          classifyPullError(s);
        },
      ),
      { seed, numRuns: runs * 5 },
    );
  });
  it("PEM/DER/PKCS#7 reader: InputError only", () => {
    const pemish = fc
      .array(
        fc.constantFrom(
          "-----BEGIN CERTIFICATE-----\n",
          "-----END CERTIFICATE-----\n",
          "MIIB",
          "AAAA\n",
          "-----BEGIN PKCS7-----\n",
          "-----END PKCS7-----\n",
          "====\n",
        ),
        { maxLength: 10 },
      )
      .map((p) => new TextEncoder().encode(p.join("")));
    const derish = fc
      .uint8Array({ maxLength: 600 })
      .map((b) => Uint8Array.from([0x30, 0x82, (b.length >> 8) & 0xff, b.length & 0xff, ...b]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), pemish, derish), (bytes) => {
        typed([InputError], () => readCertificates(bytes, "fuzz.crt"));
      }),
      { seed, numRuns: runs * 2 },
    );
  });
  it("hosts.toml reader: InputError only", () => {
    fc.assert(
      fc.property(tomlish, (t) =>
        typed([InputError], () => parseHostsToml(t, "/etc/containerd/certs.d/repo.example.com")),
      ),
      { seed, numRuns: runs * 2 },
    );
  });
  it("containerd config.toml reader: InputError/HostFsError only", () => {
    fc.assert(
      fc.property(tomlish, (t) =>
        typed([InputError, HostFsError], () =>
          readContainerdConfig(nodeWith({ "/etc/containerd/config.toml": t })),
        ),
      ),
      { seed, numRuns: runs },
    );
  });
  it("k3s registries.yaml reader: InputError/HostFsError only", () => {
    fc.assert(
      fc.property(yamlish, (t) =>
        typed([InputError, HostFsError], () =>
          k3sTrustFor(nodeWith({ "/etc/rancher/k3s/registries.yaml": t }), "repo.example.com:5000", "k3s"),
        ),
      ),
      { seed, numRuns: runs },
    );
  });
  it("k8s manifest reader (scan): InputError only", () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, jsonish), (t) => typed([InputError], () => parseManifests(t, "m.yaml"))),
      { seed, numRuns: runs },
    );
  });
  it("docker daemon.json reader: InputError/HostFsError only", () => {
    fc.assert(
      fc.property(jsonish, (t) =>
        typed([InputError, HostFsError], () =>
          dockerTrustFor(nodeWith({ "/etc/docker/daemon.json": t }), "repo.example.com:5000"),
        ),
      ),
      { seed, numRuns: runs },
    );
  });
  it("containers registries.conf reader: InputError/HostFsError only", () => {
    fc.assert(
      fc.property(tomlish, (t) =>
        typed([InputError, HostFsError], () =>
          readRegistriesConf(nodeWith({ "/etc/containers/registries.conf": t })),
        ),
      ),
      { seed, numRuns: runs },
    );
  });
});
