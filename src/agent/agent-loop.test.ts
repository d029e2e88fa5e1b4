import assert from "node:assert/strict";
import { test } from "node:test";
import type { DiagnoseResult } from "../diagnose/result.ts";
import type { ActionResult } from "../trust/apply-change.ts";
import type { AgentConfig } from "./agent-config.ts";
import { type LoopDeps, runAgentLoop } from "./agent-loop.ts";

const config: AgentConfig = {
  registries: ["repo.example.com:5000"],
  caFile: "/etc/regtrust/ca.crt",
  mode: "enforce",
  intervalSeconds: 300,
  heartbeatSeconds: 60,
  restart: false,
  metricsPort: 9464,
  gate: null,
};

/** A clock that only moves when the loop waits, so intervals are tested without sleeping. */
function fakeDeps(opts: { caChangesAtMs?: number; stopAfterCycles: number; trusted: boolean[] }) {
  let now = Date.parse("2026-03-01T10:00:00Z");
  const start = now;
  const cycleTimes: number[] = [];
  const trusts: string[] = [];
  const stop = new AbortController();
  let checks = 0;
  let caSeen = false;
  const deps: LoopDeps = {
    node: "node-a",
    clock: { now: () => new Date(now) },
    writer: null,
    log: () => {},
    sleep: async () => {},
    diagnose: async () => {
      const ok = opts.trusted[checks++] ?? true;
      if (checks === 1 || cycleTimes.at(-1) !== now) cycleTimes.push(now);
      return {
        ok,
        findings: ok ? [] : [{ code: "unknown-authority", severity: "error" }],
        contexts: [],
      } as unknown as DiagnoseResult;
    },
    trust: async (registry) => {
      trusts.push(registry);
      return { exitCode: 0, report: {} } as unknown as ActionResult;
    },
    caChanged: () => {
      if (opts.caChangesAtMs === undefined || caSeen || now - start < opts.caChangesAtMs) return false;
      caSeen = true;
      return true;
    },
    wait: async (ms) => {
      now += ms;
      if (cycleTimes.length >= opts.stopAfterCycles) stop.abort();
    },
  };
  return { deps, stop, cycleTimes: () => cycleTimes.map((t) => (t - start) / 1000), trusts };
}

test("a check at start, then one every interval; enforce fixes only what is not trusted", async () => {
  const f = fakeDeps({ stopAfterCycles: 3, trusted: [false, true, true, true] });
  await runAgentLoop(config, f.deps, { signal: f.stop.signal });
  assert.deepEqual(f.cycleTimes(), [0, 300, 600]);
  assert.deepEqual(f.trusts, ["repo.example.com:5000"], "one fix, then the node stays trusted");
});

test("jitter stretches each interval by up to 10 %, never shortens it", async () => {
  const f = fakeDeps({ stopAfterCycles: 3, trusted: [true, true, true] });
  f.deps.jitter = () => 0.5;
  await runAgentLoop(config, f.deps, { signal: f.stop.signal });
  assert.deepEqual(f.cycleTimes(), [0, 315, 630]);
});

test("a changed CA triggers a check at the next poll, not at the end of the interval", async () => {
  const f = fakeDeps({ stopAfterCycles: 2, caChangesAtMs: 12_000, trusted: [true, true] });
  await runAgentLoop(config, f.deps, { signal: f.stop.signal });
  assert.deepEqual(f.cycleTimes(), [0, 15]);
});

test("report mode never applies a fix", async () => {
  const f = fakeDeps({ stopAfterCycles: 2, trusted: [false, false] });
  await runAgentLoop({ ...config, mode: "report" }, f.deps, { signal: f.stop.signal });
  assert.deepEqual(f.trusts, []);
});

test("a failing check is retried at the next interval, never fatal; the signal ends the loop", async () => {
  const f = fakeDeps({ stopAfterCycles: 2, trusted: [true, true] });
  let calls = 0;
  const original = f.deps.diagnose;
  f.deps.diagnose = async (r) => {
    if (calls++ === 0) throw new Error("probe exploded");
    return original(r);
  };
  const seen: Array<string | null> = [];
  await runAgentLoop(config, f.deps, {
    signal: f.stop.signal,
    onCycle: (outcome, error) => seen.push(outcome ? "ok" : String(error)),
  });
  assert.deepEqual(seen.slice(0, 2), ["Error: probe exploded", "ok"]);
});
