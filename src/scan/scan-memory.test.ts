/**
 * Issue #23 (6): scan streams. Each target's DiagnoseResult (presented
 * chain, findings, evidence: ~7 KB) must be collectable once it was written;
 * the scan keeps a tally and, for the text table, one row of primitives per
 * target. Proven by counting retained results (WeakRef after a full GC), not
 * by timing or RSS. The network is a fake probe that presents a real chain.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { systemClock } from "../core/deps.ts";
import { loadNode } from "../diagnose/load-node.ts";
import { makeNodeRoot, type TestNode } from "../node/testing/node-root.ts";
import { createPrivatePki } from "../pki/generate.ts";
import type { ProbeResult } from "../probe/types.ts";
import { parseTarget } from "../target/parse-target.ts";
import type { Target } from "../target/target.ts";
import { scan } from "./scan.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let node: TestNode;
let presented: Uint8Array[] = [];
before(async () => {
  node = makeNodeRoot({ "/etc/os-release": "ID=debian\nVERSION_ID=12\n" });
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  presented = [pki.leaf.der, pki.intermediate.der];
});
after(() => node.cleanup());

async function fakeProbe(target: Target): Promise<ProbeResult> {
  await tick();
  return {
    target,
    dns: { ok: true, addresses: ["127.0.0.1"], error: null },
    tcp: { ok: true, address: "127.0.0.1", port: target.port, error: null },
    tls: {
      ok: true,
      protocol: "TLSv1.3",
      cipher: "TLS_AES_128_GCM_SHA256",
      presented: presented.map((d) => new Uint8Array(d)),
      serverName: target.host,
      error: null,
    },
    registry: { ok: true, status: 200, apiVersion: "registry/2.0", challenge: null },
    realm: null,
    plainHttp: null,
    durationMs: 1,
  } as ProbeResult;
}

/** Scans `count` distinct targets; returns the tally and how many results are still reachable after a GC. */
async function scanAndCount(count: number, keepRows: boolean) {
  const targets = Array.from({ length: count }, (_, i) => parseTarget(`repo${i}.example.com:5000`));
  const refs: WeakRef<object>[] = [];
  const tally = await scan(targets, {
    node: await loadNode(node.root, ["containerd"]),
    concurrency: 8,
    timeoutMs: 1000,
    expiringDays: 30,
    clock: systemClock,
    probe: fakeProbe,
    keepRows,
    onResult: (outcome) => refs.push(new WeakRef(outcome.result)),
  });
  // WeakRefs keep their targets until the current job ends; then a full GC.
  await tick();
  gc();
  return { tally, retained: refs.filter((r) => r.deref() !== undefined).length, written: refs.length };
}

describe("scan keeps no result after writing it", () => {
  for (const count of [40, 400]) {
    test(`${count} targets: every result written, none retained; one primitive row each`, async () => {
      const { tally, retained, written } = await scanAndCount(count, true);
      assert.equal(written, count);
      assert.equal(retained, 0, `${retained} of ${count} results still reachable after the scan`);
      assert.equal(tally.total, count);
      assert.equal(tally.failed, count, "the node trusts no private CA: every target fails");
      assert.equal(tally.rows.length, count);
      for (const row of tally.rows) {
        assert.deepEqual(Object.keys(row).sort(), ["codes", "ms", "registry", "verdict"]);
        assert.ok(Object.values(row).every((v) => v === null || typeof v !== "object"));
      }
    });
  }

  test("--json keeps no rows at all: the tally is counters only", async () => {
    const { tally, retained } = await scanAndCount(200, false);
    assert.equal(retained, 0);
    assert.deepEqual([tally.total, tally.rows.length], [200, 0]);
  });
});
