/**
 * Issue #10 (4): hostile registry names and symlinked write locations are
 * refused with exit 2 and a clear message, and the node tree is unchanged
 * (checksum before == after). Names are refused before any network or disk work.
 */
import assert from "node:assert/strict";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../integration/cli.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, treeChecksum } from "../trust/node.ts";

const dirs = new TempDirs();
after(() => dirs.cleanup());

const CONFIG =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

const HOSTILE: Array<[string, string]> = [
  ["dot-dot", "../../etc"],
  ["dot-dot in a label", "repo..example.com"],
  ["slash traversal", "repo.example.com/../../etc:443"],
  ["NUL byte", "repo.example.com\u0000evil"],
  ["label longer than 63", `${"a".repeat(64)}.example.com`],
  ["name longer than 253", `${Array.from({ length: 50 }, () => "abcdef").join(".")}.com`],
  ["Cyrillic look-alike e", "\u0435xample.com"],
  ["fullwidth dots", "repo\uff0eexample\uff0ecom"],
  ["backslash", "repo\\example.com"],
  ["newline", "repo.example.com\n"],
];

describe("hostile registry names: exit 2, nothing written", () => {
  for (const command of ["trust", "untrust", "insecure"]) {
    for (const [label, name] of HOSTILE) {
      it(`${command} refuses ${label}`, async () => {
        const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG });
        const ca = join(await dirs.make("ca"), "ca.pem");
        await writeFile(ca, CA_PEM);
        const before = await treeChecksum(node);
        const extra = command === "trust" ? ["--ca", ca] : [];
        const run = await runCli([command, name, "--root", node, ...extra, "--timeout", "2000"]);
        assert.equal(
          run.code,
          2,
          `${command} ${JSON.stringify(name)}: exit ${run.code}\n${run.stdout}\n${run.stderr}`,
        );
        assert.match(run.stderr, /\S/, "a clear error is printed");
        assert.deepEqual(await treeChecksum(node), before, "tree changed");
      });
    }
  }
});

describe("symlinked write locations pointing outside the root", () => {
  const LOCATIONS = [
    "/etc/containerd/certs.d",
    "/etc/containerd/certs.d/repo.example.com:5000",
    "/usr/local/share/ca-certificates",
    "/var/lib/regtrust",
  ];
  for (const location of LOCATIONS) {
    it(`insecure refuses when ${location} links to a shadow-like file outside the root`, async () => {
      const outside = await dirs.make("outside");
      const shadow = join(outside, "shadow");
      await writeFile(shadow, "root:*:19000:0:99999:7:::\n");
      const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG });
      const full = join(node, location);
      await mkdir(join(full, ".."), { recursive: true });
      await rm(full, { recursive: true, force: true });
      await symlink(location.endsWith(":5000") ? shadow : outside, full);
      const beforeNode = await treeChecksum(node);
      const beforeOutside = await treeChecksum(outside);
      const run = await runCli(["insecure", "repo.example.com:5000", "--root", node, "--timeout", "2000"]);
      // Either refused (exit 2) or written re-rooted inside the node; never outside it.
      assert.deepEqual(await treeChecksum(outside), beforeOutside, `wrote outside the root:\n${run.stderr}`);
      if (run.code !== 0) {
        assert.equal(run.code, 2, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
        assert.deepEqual(await treeChecksum(node), beforeNode, "tree changed on refusal");
      }
    });
  }
});
