/**
 * Shared by the network-fault tests: loopback servers whose connections are
 * tracked (so closing never waits on the client), and one whole-CLI
 * `diagnose --json` run against them with the exit code, the time and the
 * absence of an internal error checked every time.
 */
import assert from "node:assert/strict";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import type { Server as TlsServer } from "node:tls";
import { type CliRun, codes, type DiagnoseJson, diagnoseJson } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { TempDirs } from "../support/tmp.ts";

export const HOST = "repo.example.com";
/** What diagnoseJson passes as --timeout. */
export const TIMEOUT_MS = 4000;
/** Beyond --timeout: start-up, reading the node and the public roots, evaluation. */
// Generous on purpose: this bound tells a run that ended at its deadline from one that hangs, and must
// hold on a loaded 2-core CI machine (speed is measured by the bench, not here).
const SLACK_MS = 20_000;

export interface FaultRun {
  codes: string[];
  result: DiagnoseJson;
  run: CliRun;
  elapsedMs: number;
  port: number;
}

export interface FaultExpectation {
  /** The one exit code this fault must give. */
  exit: number;
  /** Target for the listening port; the registry name by default. */
  target?: (port: number) => string;
  /** Upper bound on the whole run; --timeout plus slack by default. */
  withinMs?: number;
}

export class FaultHarness {
  readonly dirs = new TempDirs();
  readonly #sockets = new Set<Socket>();

  async listen(server: NetServer | TlsServer, address = "127.0.0.1"): Promise<number> {
    server.on("connection", (s: Socket) => {
      this.#sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => this.#sockets.delete(s));
    });
    server.on("tlsClientError", () => {});
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, address, () => resolve((server.address() as AddressInfo).port));
    });
  }

  /** Runs `diagnose --json` against `server` on a node with containerd and public roots only, then closes it. */
  async diagnose(server: NetServer | TlsServer, expect: FaultExpectation): Promise<FaultRun> {
    const port = await this.listen(server);
    const target = (expect.target ?? ((p: number) => `${HOST}:${p}`))(port);
    try {
      const root = await buildNodeRoot(this.dirs, withContainerd());
      const t0 = Date.now();
      const { run, result } = await diagnoseJson(target, root);
      const elapsedMs = Date.now() - t0;
      const found = codes(result);
      const withinMs = expect.withinMs ?? TIMEOUT_MS + SLACK_MS;
      const context = `exit ${run.code}, ${found.join(",")} in ${elapsedMs} ms\n${run.stdout.slice(0, 3000)}\n${run.stderr}`;
      assert.ok(elapsedMs < withinMs, `took ${elapsedMs} ms, allowed ${withinMs}: ${context}`);
      assert.equal(run.code, expect.exit, context);
      assert.doesNotMatch(run.stderr, /internal error/i);
      console.log(`# ${target} → exit ${run.code}, ${found.join(",")} in ${elapsedMs} ms`);
      return { codes: found, result, run, elapsedMs, port };
    } finally {
      for (const s of this.#sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  }

  cleanup(): Promise<void> {
    return this.dirs.cleanup();
  }
}

/** The one finding with `code`; fails when there is none or several. */
export function findingOf(result: DiagnoseJson, code: string): DiagnoseJson["findings"][number] {
  const matching = result.findings.filter((f) => f.code === code);
  assert.equal(matching.length, 1, `one ${code} finding in ${JSON.stringify(result.findings, null, 1)}`);
  return matching[0]!;
}

/** A finding's message, evidence and fix as one string, for matching. */
export function findingText(f: DiagnoseJson["findings"][number] & { evidence?: string[] }): string {
  return [f.message, ...(f.evidence ?? []), ...f.fix].join("\n");
}
