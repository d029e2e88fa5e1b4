import assert from "node:assert/strict";
import { isIP } from "node:net";
import { test } from "node:test";
import { ipVersionOf } from "./ip-literal.ts";

const inputs = [
  "127.0.0.1",
  "10.1.2.3",
  "256.1.1.1",
  "1.2.3",
  "::1",
  "fd00::1",
  "fe80::1%eth0",
  "::ffff:10.0.0.1",
  "repo.example.com",
  "localhost",
  "repo.example.com:5000",
  "zz::1",
  "",
  "1.2.3.4.5",
  "a:b",
];

for (const input of inputs) {
  test(`ipVersionOf(${JSON.stringify(input)}) agrees with net.isIP`, () => {
    assert.equal(ipVersionOf(input), isIP(input));
  });
}
