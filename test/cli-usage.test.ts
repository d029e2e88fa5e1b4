/** Whole-CLI behaviour that needs no network: usage errors, bad input, help. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertGolden } from "./golden/assert-golden.ts";
import { runCli } from "./integration/cli.ts";

describe("regtrust CLI usage", () => {
  test("--help lists the commands", async () => {
    const run = await runCli(["--help"]);
    assert.equal(run.code, 0);
    assertGolden("help.txt", run.stdout);
  });

  test("diagnose --help documents the common flags", async () => {
    const run = await runCli(["diagnose", "--help"]);
    assert.equal(run.code, 0);
    assertGolden("diagnose-help.txt", run.stdout);
  });

  const badInputs: Array<[string[], RegExp]> = [
    [
      ["diagnose", "repo.example.com:99999"],
      /invalid target "repo\.example\.com:99999": port 99999 is outside 1-65535/,
    ],
    [["diagnose", "rеpo.example.com"], /non-ASCII/],
    [["diagnose", "repo.example.com", "--timeout", "soon"], /--timeout must be milliseconds/],
    [["diagnose", "repo.example.com", "--runtime", "cri-dockerd"], /unknown runtime "cri-dockerd"/],
    [
      ["diagnose", "repo.example.com", "--root", "/nonexistent/root"],
      /--root \/nonexistent\/root: not a directory/,
    ],
    [["diagnose"], /missing required argument 'target'/],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ];
  for (const [argv, message] of badInputs) {
    test(`exit 2 with a clear message: regtrust ${argv.join(" ")}`, async () => {
      const run = await runCli(argv);
      assert.equal(run.code, 2, `${run.stdout}${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
    });
  }
});
