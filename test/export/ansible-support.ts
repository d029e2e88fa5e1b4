/**
 * Shared set-up for the `export --format ansible` tests (split in two files so
 * each stays well inside the per-file test budget on a loaded 2-core machine;
 * issue #17 item 11). See ansible-containerd.test.ts for what is proven.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { createPrivatePki, type IssuedCert } from "../../src/pki/generate.ts";
import { debianBase, type NodeFiles } from "../integration/node-root.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";
import { exportTo, type TestPki, writeCaFile } from "./export-support.ts";

export const HOST = "repo.example.com";

export interface AnsibleFixture {
  dirs: TempDirs;
  pki(): TestPki;
  caFile(): string;
  playbookFor(registry: string): Promise<string>;
  k3sPlaybook(registry: string): Promise<string>;
  runPlaybook(playbook: string, root: string, extra?: string[]): Promise<number>;
  runPlaybookRaw(playbook: string, root: string, extra?: string[]): ReturnType<typeof runCommand>;
}

/** Registers before/after hooks for one test file and returns its helpers. */
export function useAnsibleFixture(): AnsibleFixture {
  const dirs = new TempDirs();
  let pki: TestPki | undefined;
  let caFile = "";
  before(async () => {
    await ensureTestHosts();
    pki = await createPrivatePki({ hostnames: [HOST] });
    caFile = await writeCaFile(dirs, pki);
  });
  after(() => dirs.cleanup());
  const runPlaybookRaw = (playbook: string, root: string, extra: string[] = []) =>
    runCommand(
      [
        "ansible-playbook",
        "-i",
        "localhost,",
        "-c",
        "local",
        playbook,
        "-e",
        `regtrust_root=${root}`,
        ...extra,
      ],
      {
        timeoutMs: 120_000,
        env: {
          ...process.env,
          ANSIBLE_NOCOLOR: "1",
          ANSIBLE_LOCALHOST_WARNING: "false",
          ANSIBLE_RETRY_FILES_ENABLED: "0",
        },
      },
    );
  return {
    dirs,
    pki: () => {
      assert.ok(pki, "fixture not started");
      return pki;
    },
    caFile: () => caFile,
    playbookFor: (registry) =>
      exportTo(dirs, "playbook.yml", [
        registry,
        "--format",
        "ansible",
        "--ca",
        caFile,
        "--runtime",
        "containerd",
      ]),
    k3sPlaybook: (registry) =>
      exportTo(dirs, "k3s.yml", [registry, "--format", "ansible", "--ca", caFile, "--runtime", "k3s"]),
    /** One ansible-playbook run; returns the recap's changed count. */
    runPlaybook: async (playbook, root, extra = []) => {
      const result = await runPlaybookRaw(playbook, root, extra);
      assert.equal(result.code, 0, `ansible-playbook failed:\n${result.stdout}\n${result.stderr}`);
      const changed = /localhost\s*:\s*ok=\d+\s+changed=(\d+)/.exec(result.stdout);
      assert.ok(changed, result.stdout);
      return Number(changed[1]);
    },
    runPlaybookRaw,
  };
}

export function freshNode(config: string | null): NodeFiles {
  return config === null ? debianBase() : { ...debianBase(), "/etc/containerd/config.toml": config };
}

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML of a test's own file
export function caFileOf(doc: any, registry: string): string {
  const path = doc?.configs?.[registry]?.tls?.ca_file;
  assert.equal(typeof path, "string", JSON.stringify(doc));
  return path as string;
}

export function chainPem(...certs: IssuedCert[]): string {
  return certs.map((c) => c.certPem.trim()).join("\n") + "\n";
}
