/**
 * Shared by the layout tests (issue #16 item 4): a real docker-registry with a
 * private CA, the layouts regtrust generates (the `k8s node` pod of
 * pod-spec.ts, the DaemonSet of manifests.ts), the built dist/regtrust.mjs run
 * in them, and Debian node roots cloned from one template per test file.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { V1ConfigMap, V1DaemonSet, V1PodSpec } from "@kubernetes/client-node";
import { buildManifests } from "../../src/k8s/manifests/manifests.ts";
import { type NodeAction, nodePod } from "../../src/k8s/node-run/pod-spec.ts";
import { type PrivateRegistry, startPrivateCaRegistry } from "../support/private-registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { buildDebianNode, type NodeVariant, snapshot, writeRuntime } from "./debian-node.ts";
import { containerArgs, DIST, layoutOf, type PodLayout, runInLayout, runNodeTool } from "./pod-layout.ts";

const run = promisify(execFile);

export const BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
export const LOCAL_CAS = "/usr/local/share/ca-certificates";

export class LayoutFixture {
  readonly dirs = new TempDirs();
  #registry: PrivateRegistry | null = null;
  #template: Promise<string> | null = null;

  async start(): Promise<void> {
    assert.ok(existsSync(DIST), "dist/regtrust.mjs is missing: run `npm run build` first");
    assert.equal(process.getuid?.(), 0, "the layout tests need root (mount namespaces, chroot)");
    this.#registry = await startPrivateCaRegistry(this.dirs);
  }

  async stop(): Promise<void> {
    await this.#registry?.registry.stop();
    await this.dirs.cleanup();
  }

  get fx(): PrivateRegistry {
    assert.ok(this.#registry, "start() first");
    return this.#registry;
  }

  /**
   * A Debian node with the runtime's files. This machine's store has a
   * regular file where Debian's tool keeps a link (sandboxing-egress-ca.pem,
   * written there directly); the tool's next run on the node turns it into
   * the link, whoever runs it. So the template is the state the node's own
   * tool leaves, and trust/untrust are compared from that fixed point. Each
   * node is a copy of it (`cp -a`, links kept).
   */
  async debianNode(variant: NodeVariant): Promise<string> {
    this.#template ??= (async () => {
      const template = await buildDebianNode(this.dirs, null);
      const tool = await runNodeTool(template, ["update-ca-certificates"]);
      assert.equal(tool.code, 0, tool.stderr);
      return template;
    })();
    const template = await this.#template;
    const node = await this.dirs.make(`layout-node-${variant}`);
    await run("cp", ["-a", `${template}/.`, node], { timeout: 60_000 });
    await writeRuntime(node, variant);
    return node;
  }

  nodePodLayout(action: NodeAction, args: string[]): PodLayout {
    const pod = nodePod({
      node: "node-a",
      action,
      args,
      namespace: "regtrust",
      image: "regtrust:test",
      deadlineSeconds: 300,
      suffix: "test",
      ...(action === "trust" ? { caPem: this.fx.caPem } : {}),
    });
    return layoutOf(pod.spec as V1PodSpec);
  }

  daemonSetLayout(): PodLayout {
    const docs = buildManifests({
      registries: [this.fx.target],
      caPem: this.fx.caPem,
      mode: "enforce",
      image: "regtrust:test",
      namespace: "regtrust",
    });
    const ds = docs.find((d) => d.kind === "DaemonSet") as V1DaemonSet;
    const cm = docs.find((d) => d.kind === "ConfigMap") as V1ConfigMap;
    return layoutOf(ds.spec?.template.spec as V1PodSpec, { [cm.metadata?.name ?? ""]: cm.data ?? {} });
  }

  /** dist/regtrust.mjs with the pod's argv (plus `extra`) in the pod's layout on `node`. */
  async regtrust(node: string, layout: PodLayout, extra: string[] = []) {
    const container = await this.dirs.make("layout-container");
    const argv = [process.execPath, DIST, ...containerArgs(layout, container), ...extra];
    return { run: await runInLayout(node, container, layout, argv), container };
  }
}

/** The node minus what the namespace mounts over it (empty directories outside it). */
export const wholeNode = (node: string) => snapshot(node, "/");

export async function regtrustAnchors(node: string): Promise<string[]> {
  return (await readdir(join(node, LOCAL_CAS))).filter((n) => n.startsWith("regtrust-"));
}

/** `regtrust audit --json` (the built bundle) on the node copy: the os-store-inconsistent findings, as `severity: message`. */
export function auditOsStore(node: string): string[] {
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [DIST, "audit", "--root", node, "--json"], {
      encoding: "utf8",
      timeout: 60_000,
    });
  } catch (error) {
    stdout = (error as { stdout: string }).stdout; // exit 1: error findings
  }
  const report = JSON.parse(stdout) as { findings: { code: string; severity: string; message: string }[] };
  return report.findings
    .filter((f) => f.code === "os-store-inconsistent")
    .map((f) => `${f.severity}: ${f.message}`);
}
