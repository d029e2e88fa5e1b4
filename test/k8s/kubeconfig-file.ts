/** Writes a kubeconfig that points the real client at a fake API server. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface KubeconfigInput {
  server: string;
  caPem: string;
  token: string;
  context?: string;
  namespace?: string;
}

export interface TempKubeconfig {
  path: string;
  dir: string;
  cleanup(): void;
}

export function writeKubeconfig(input: KubeconfigInput): TempKubeconfig {
  const dir = mkdtempSync(join(tmpdir(), "regtrust-kube-"));
  const path = join(dir, "config");
  const context = input.context ?? "fake";
  const ca = Buffer.from(input.caPem).toString("base64");
  const yaml = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: fake-cluster",
    "  cluster:",
    `    server: ${input.server}`,
    `    certificate-authority-data: ${ca}`,
    "users:",
    "- name: triage",
    "  user:",
    `    token: ${input.token}`,
    "contexts:",
    `- name: ${context}`,
    "  context:",
    "    cluster: fake-cluster",
    "    user: triage",
    ...(input.namespace ? [`    namespace: ${input.namespace}`] : []),
    `current-context: ${context}`,
    "",
  ].join("\n");
  writeFileSync(path, yaml, { mode: 0o600 });
  return { path, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
