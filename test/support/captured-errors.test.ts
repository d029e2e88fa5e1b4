import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import {
  CAPTURED_ERRORS_FILE,
  type CapturedError,
  CONTAINERD_SOURCE,
  captureErrors,
  normaliseMessage,
  SKOPEO_SOURCE,
} from "./capture-errors.ts";
import { CONTAINERD_BINARY } from "./containerd.ts";
import { SCENARIOS } from "./error-scenarios.ts";
import { runCommand } from "./processes.ts";
import { SKOPEO_BINARY } from "./skopeo.ts";

async function recorded(): Promise<CapturedError[]> {
  return JSON.parse(await readFile(CAPTURED_ERRORS_FILE, "utf8")) as CapturedError[];
}

describe("captured-errors.json", () => {
  it("has one entry per scenario and tool", async () => {
    const entries = await recorded();
    const keys = entries.map((e) => `${e.source}/${e.scenario}`).sort();
    const expected = SCENARIOS.flatMap((s) => [`${CONTAINERD_SOURCE}/${s}`, `${SKOPEO_SOURCE}/${s}`]).sort();
    assert.deepEqual(keys, expected);
  });

  it("names the tool versions installed here", async () => {
    const containerd = await runCommand([CONTAINERD_BINARY, "--version"], { timeoutMs: 10_000 });
    assert.match(containerd.stdout, /\b1\.6\.20\b/);
    const skopeo = await runCommand([SKOPEO_BINARY, "--version"], { timeoutMs: 10_000 });
    assert.match(skopeo.stdout, /version 1\.9\.3\b/);
  });

  it("matches what containerd and skopeo print now (modulo ports and times)", async () => {
    // Everything but dns-failure, which would query the non-loopback name server (see captureErrors).
    const live = await captureErrors(SCENARIOS.filter((s) => s !== "dns-failure"));
    const byKey = new Map((await recorded()).map((e) => [`${e.source}/${e.scenario}`, e.message]));
    for (const entry of live) {
      const key = `${entry.source}/${entry.scenario}`;
      assert.equal(normaliseMessage(entry.message), normaliseMessage(byKey.get(key) ?? "<missing>"), key);
    }
  });
});

describe("normaliseMessage", () => {
  const cases: [string, string, string][] = [
    ["port", 'Head "https://repo.example.com:40123/v2/"', 'Head "https://repo.example.com:<port>/v2/"'],
    ["dial", "dial tcp 127.0.0.1:4567: connect", "dial tcp 127.0.0.1:<port>: connect"],
    ["expiry", "current time 2026-01-02T03:04:05Z is after 2021", "current time <now> is after 2021"],
    [
      "resolver",
      'lookup x.invalid on 10.0.0.2:53: no such host"',
      'lookup x.invalid on <resolver>: <dns verdict>"',
    ],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => assert.equal(normaliseMessage(input), want));
  }
});
