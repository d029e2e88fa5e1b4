import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCommand, startService } from "./processes.ts";
import { waitFor } from "./wait.ts";

const NODE = process.execPath;

describe("runCommand", () => {
  it("returns code, stdout and stderr, and feeds stdin", async () => {
    const script = "process.stdin.pipe(process.stdout); console.error('err'); process.exitCode = 3";
    const result = await runCommand([NODE, "-e", script], { timeoutMs: 10_000, input: "hello" });
    assert.deepEqual(result, { code: 3, stdout: "hello", stderr: "err\n", timedOut: false });
  });

  it("kills a command that overruns its bound", async () => {
    const started = Date.now();
    const result = await runCommand([NODE, "-e", "setTimeout(() => {}, 30000)"], { timeoutMs: 300 });
    assert.equal(result.timedOut, true);
    assert.equal(result.code, -1);
    assert.ok(Date.now() - started < 10_000);
  });
});

describe("startService", () => {
  it("escalates to SIGKILL when SIGTERM is ignored", async () => {
    const script =
      "process.on('SIGTERM', () => console.log('ignoring TERM')); console.log('up'); setInterval(() => {}, 1000)";
    const service = startService([NODE, "-e", script], {});
    try {
      await waitFor(async () => (service.logs().includes("up") ? true : undefined), {
        what: "child",
        timeoutMs: 10_000,
      });
      await service.stop(300);
      assert.equal(service.isRunning(), false);
      assert.deepEqual(await service.exited, { code: null, signal: "SIGKILL" });
      assert.match(service.logs(), /ignoring TERM/);
    } finally {
      await service.stop(0);
    }
  });
});

describe("waitFor", () => {
  it("names what it waited for and the last failure", async () => {
    const probe = async (): Promise<boolean | undefined> => {
      throw new Error("still closed");
    };
    await assert.rejects(
      waitFor(probe, { what: "the door", timeoutMs: 200, intervalMs: 50 }),
      /waiting for the door \(last: still closed\)/,
    );
  });
});
