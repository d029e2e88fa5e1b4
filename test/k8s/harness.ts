/** One fake API server + kubeconfig per test group, and the CLI run against it in-process. */
import { after, before } from "node:test";
import { type CliRun, runCli } from "../integration/cli.ts";
import { type FakeApiServer, startFakeApiServer } from "./fake-apiserver.ts";
import type { FakeCluster } from "./fake-cluster.ts";
import { type TempKubeconfig, writeKubeconfig } from "./kubeconfig-file.ts";

/** The image pods run in these tests (regtrust has no default image: src/k8s/manifests/image.ts). */
export const TEST_IMAGE = "registry.internal/regtrust:test";

export interface KubeHarness {
  server(): FakeApiServer;
  kubeconfig(): string;
  /** `regtrust <argv> --kubeconfig <file>`; clears the recorded requests first. */
  run(argv: string[]): Promise<CliRun>;
}

/** `namespace`: the kubeconfig context's namespace (commands default to it). */
export function useFakeCluster(build: () => FakeCluster, opts: { namespace?: string } = {}): KubeHarness {
  let server: FakeApiServer | undefined;
  let config: TempKubeconfig | undefined;
  before(async () => {
    server = await startFakeApiServer(build());
    config = writeKubeconfig({
      server: server.url,
      caPem: server.caPem,
      token: server.token,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
    });
  });
  after(async () => {
    await server?.close();
    config?.cleanup();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("fake cluster not started");
    return value;
  };
  return {
    server: () => need(server),
    kubeconfig: () => need(config).path,
    run: async (argv) => {
      const s = need(server);
      s.requests.length = 0;
      return runCli([...argv, "--kubeconfig", need(config).path], { env: { REGTRUST_IMAGE: TEST_IMAGE } });
    },
  };
}
