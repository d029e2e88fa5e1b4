/**
 * Issue #22 item 3 for k3s/RKE2: the containerd they embed is read from the
 * Go build info of their binary (the `containerd` module k3s records, the main
 * module of RKE2's containerd binary), and that release's rules apply. The
 * binaries here are built by Go itself in module mode, so the build info is
 * Go's own (runtime/debug BuildInfo), not a hand-written imitation: a tiny
 * main package that depends on a stand-in `github.com/containerd/containerd`
 * module at the version a k3s release records, replaced by a local directory
 * (no network; a directory replacement records the required version).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { HostFs } from "../../src/node/host-fs.ts";
import { readNodeView } from "../../src/node/node-view.ts";
import { loadYamlParser } from "../../src/node/yaml-parser.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildNodeRoot, debianBase } from "./node-root.ts";

const dirs = new TempDirs();
before(() => loadYamlParser());
after(() => dirs.cleanup());

/** A Go binary whose build info records `module` at `version` as a dependency. */
function goBinaryDependingOn(module: string, version: string): string {
  const work = mkdtempSync(join(tmpdir(), "regtrust-k3s-buildinfo-"));
  const stand = join(work, "stand-in");
  mkdirSync(join(stand, "pkg"), { recursive: true });
  writeFileSync(join(stand, "go.mod"), `module ${module}\n\ngo 1.19\n`);
  writeFileSync(join(stand, "pkg", "pkg.go"), 'package pkg\n\nfunc Name() string { return "containerd" }\n');
  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "go.mod"),
    `module example.com/k3s\n\ngo 1.19\n\nrequire ${module} ${version}\n\nreplace ${module} => ../stand-in\n`,
  );
  writeFileSync(
    join(app, "main.go"),
    `package main\n\nimport "${module}/pkg"\n\nfunc main() { println(pkg.Name()) }\n`,
  );
  const out = join(work, "k3s");
  execFileSync("go", ["build", "-mod=mod", "-o", out, "."], {
    cwd: app,
    env: {
      ...process.env,
      GO111MODULE: "on",
      GOPROXY: "off",
      GOFLAGS: "",
      GOPATH: join(work, "gopath"),
      GOCACHE: join(work, "gocache"),
    },
    stdio: "pipe",
    timeout: 180_000,
  });
  return out;
}

describe("k3s/RKE2: the embedded containerd's rules come from the binary", () => {
  for (const [module, version, rules] of [
    ["github.com/containerd/containerd", "v1.7.23-k3s2", "containerd 1.7"],
    ["github.com/containerd/containerd/v2", "v2.0.5-k3s1", "containerd 2.0"],
  ] as const) {
    test(`a k3s binary recording ${module} ${version}: ${rules} rules, not assumed`, async () => {
      const binary = goBinaryDependingOn(module, version);
      const root = await buildNodeRoot(dirs, {
        ...debianBase(),
        "/etc/rancher/k3s/registries.yaml": "",
      });
      mkdirSync(join(root, "usr/local/bin"), { recursive: true });
      execFileSync("cp", [binary, join(root, "usr/local/bin/k3s")]);
      const view = readNodeView(new HostFs(root), { runtimes: ["k3s"] }).trustFor(
        "k3s",
        "repo.example.com:5000",
      );
      assert.equal(view.resolved?.rules.rules, rules, JSON.stringify(view.resolved?.rules));
      assert.equal(view.resolved?.rules.assumed, false);
      assert.equal(view.resolved?.rules.runtimeVersion, version.slice(1).replace(/-k3s\d+$/, ""));
      assert.match(view.resolved?.rules.versionSource ?? "", /\/usr\/local\/bin\/k3s \(Go build info\)/);
    });
  }

  test("CRI-O: the containers/image release its binary records is reported; not assumed", async () => {
    const binary = goBinaryDependingOn("github.com/containers/image/v5", "v5.32.2");
    const root = await buildNodeRoot(dirs, {
      ...debianBase(),
      "/etc/containers/registries.conf": 'unqualified-search-registries = ["docker.io"]\n',
    });
    mkdirSync(join(root, "usr/bin"), { recursive: true });
    execFileSync("cp", [binary, join(root, "usr/bin/crio")]);
    const view = readNodeView(new HostFs(root), { runtimes: ["crio"] }).trustFor(
      "crio",
      "repo.example.com:5000",
    );
    assert.equal(view.resolved?.rules.runtimeVersion, "5.32.2", JSON.stringify(view.resolved?.rules));
    assert.equal(view.resolved?.rules.assumed, false);
  });

  test("a k3s binary without module build info (or none at all): the rules are assumed and say so", async () => {
    const root = await buildNodeRoot(dirs, { ...debianBase(), "/etc/rancher/k3s/registries.yaml": "" });
    const view = readNodeView(new HostFs(root), { runtimes: ["k3s"] }).trustFor(
      "k3s",
      "repo.example.com:5000",
    );
    assert.equal(view.resolved?.rules.assumed, true);
  });
});
