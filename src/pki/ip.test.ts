import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { goQuote } from "./go-quote.ts";
import { formatIp, ipEqual, parseIp } from "./ip.ts";

describe("IP addresses with Go's net.IP semantics", () => {
  const round: [input: string, printed: string | null][] = [
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8::", "2001:db8::"],
    ["fe80:0:0:0:0:0:0:1", "fe80::1"],
    ["1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"],
    ["::ffff:10.0.0.1", "10.0.0.1"],
    ["010.0.0.1", null],
    ["256.0.0.1", null],
    ["fe80::1%eth0", null],
    ["1::2::3", null],
    ["repo.example.com", null],
  ];
  for (const [input, printed] of round) {
    it(`${input} → ${printed}`, () => {
      const ip = parseIp(input);
      assert.equal(ip === null ? null : formatIp(ip), printed);
    });
  }

  it("treats IPv4 and IPv4-mapped IPv6 as equal", () => {
    assert.ok(ipEqual(parseIp("10.0.0.1")!, parseIp("::ffff:10.0.0.1")!));
    assert.ok(!ipEqual(parseIp("10.0.0.1")!, parseIp("10.0.0.2")!));
  });
});

describe("goQuote (strconv.Quote)", () => {
  const table: [string, string][] = [
    ["plain", '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["back\\slash", '"back\\\\slash"'],
    ["tab\tnew\nline", '"tab\\tnew\\nline"'],
    ["bell\x07", '"bell\\a"'],
    ["nul\x00", '"nul\\x00"'],
    ["Zürich", '"Zürich"'],
    ["zero\u200bwidth", '"zero\\u200bwidth"'],
  ];
  for (const [input, quoted] of table) {
    it(JSON.stringify(input), () => assert.equal(goQuote(input), quoted));
  }
});
