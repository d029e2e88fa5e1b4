/**
 * `regtrust insecure`: refused without a TTL or with one over a week; writes
 * the skip-verify setting of every runtime with its expiry; `diagnose`
 * reports it; the next regtrust run after the expiry removes it. The clock is
 * injected through the command's last argument (no environment variable).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runInsecure } from "../../src/cli/commands/insecure.ts";
import { runTrust } from "../../src/cli/commands/trust.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { diagnoseJson, runCli } from "../integration/cli.ts";
import { TempDirs } from "../support/tmp.ts";
import { sharedTrustFixture } from "./fixture.ts";
import { buildDebianNode, treeChecksum } from "./node.ts";

const dirs = new TempDirs();
const fx = sharedTrustFixture(dirs);

const CONFIG =
  'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
const clockAt = (date: Date) => ({ clock: { now: () => date } });

describe("regtrust insecure", () => {
  for (const [args, message] of [
    [[], /insecure needs --ttl/],
    [["--ttl", "8d"], /longer than 7 days/],
    [["--ttl", "soon"], /--ttl must look like 30m, 4h or 2d/],
  ] as const) {
    test(`refused (exit 2) with ${args.join(" ") || "no --ttl"}`, async () => {
      const node = await buildDebianNode(dirs, { "/etc/containerd/config.toml": CONFIG });
      const sums = await treeChecksum(node);
      const run = await runCli(["insecure", fx.host, "--root", node, ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.deepEqual(await treeChecksum(node), sums);
    });
  }

  test("writes every runtime's skip-verify with the expiry; diagnose reports it; expiry removes it", async () => {
    const node = await buildDebianNode(dirs, {
      "/etc/containerd/config.toml": CONFIG,
      "/etc/docker/daemon.json": '{\n  "log-driver": "journald"\n}\n',
      "/etc/rancher/k3s/registries.yaml": "# k3s\nconfigs: {}\n",
    });
    const original = await treeChecksum(node);
    const start = new Date();
    const io = memoryIo();
    const code = await runInsecure(
      fx.host,
      { ttl: "4h", root: node, runtime: "containerd,docker,crio,k3s" },
      io,
      clockAt(start),
    );
    assert.equal(code, 0, io.out() + io.err());
    assert.match(io.err(), /!! WARNING: TLS VERIFICATION FOR repo\.example\.com:\d+ IS TURNED OFF/);
    const expires = new Date(start.getTime() + 4 * 3600_000).toISOString();
    const marker = `# regtrust-insecure-expires=${expires}`;
    const hostsToml = await readFile(join(node, `/etc/containerd/certs.d/${fx.host}/hosts.toml`), "utf8");
    assert.match(
      hostsToml,
      new RegExp(`\\n {2}${marker.replaceAll(".", "\\.")}\\n {2}skip_verify = true\\n$`),
    );
    assert.deepEqual(JSON.parse(await readFile(join(node, "/etc/docker/daemon.json"), "utf8")), {
      "log-driver": "journald",
      "insecure-registries": [fx.host],
    });
    const dropIn = await readFile(
      join(node, `/etc/containers/registries.conf.d/99-regtrust-${fx.host.replace(":", "_")}.conf`),
      "utf8",
    );
    assert.match(
      dropIn,
      new RegExp(`location = "${fx.host}"\\n${marker.replaceAll(".", "\\.")}\\ninsecure = true\\n`),
    );
    assert.match(
      await readFile(join(node, "/etc/rancher/k3s/registries.yaml"), "utf8"),
      /insecure_skip_verify: true # regtrust-insecure-expires=/,
    );
    const { result } = await diagnoseJson(fx.host, node, ["--runtime", "containerd,crio"]);
    const reported = result.findings.filter((f) => f.code === "insecure-skip-verify");
    assert.ok(reported.length >= 2, JSON.stringify(result.findings));
    assert.ok(
      reported.every((f) => f.message.includes(expires)),
      JSON.stringify(reported),
    );

    const later = new Date(start.getTime() + 5 * 3600_000);
    const trustIo = memoryIo();
    const trusted = await runTrust(
      fx.host,
      { ca: fx.caFile, root: node, runtime: "containerd", timeout: "5000" },
      trustIo,
      clockAt(later),
    );
    assert.equal(trusted, 0, trustIo.out() + trustIo.err());
    assert.match(
      trustIo.err(),
      /removed the expired insecure override for repo\.example\.com:\d+ \(expired /,
    );
    assert.doesNotMatch(
      await readFile(join(node, `/etc/containerd/certs.d/${fx.host}/hosts.toml`), "utf8"),
      /skip_verify/,
    );
    assert.equal(
      await readFile(join(node, "/etc/docker/daemon.json"), "utf8"),
      '{\n  "log-driver": "journald"\n}\n',
    );
    assert.equal((await runCli(["untrust", fx.host, "--root", node])).code, 0);
    assert.deepEqual(await treeChecksum(node), original);
  });
});
