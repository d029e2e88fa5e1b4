import assert from "node:assert/strict";
import { test } from "node:test";
import { type AuthChallenge, parseChallenges, preferredChallenge } from "./parse-challenge.ts";

const bearer = (params: Record<string, string>): AuthChallenge => ({
  scheme: "Bearer",
  params,
  token68: null,
});

const CASES: { field: string | string[]; want: AuthChallenge[]; why: string }[] = [
  {
    why: "distribution token spec example",
    field:
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:ns/app:pull"',
    want: [
      bearer({
        realm: "https://auth.example.com/token",
        service: "registry.example.com",
        scope: "repository:ns/app:pull",
      }),
    ],
  },
  {
    why: "unquoted token values, optional whitespace around = and ,",
    field: "Bearer realm = token-realm , service=reg.example_1",
    want: [bearer({ realm: "token-realm", service: "reg.example_1" })],
  },
  {
    why: "quoted-pair escapes and commas inside quotes",
    field: 'Bearer realm="https://a.example/t?x=\\"1\\"",scope="repository:a:pull,push"',
    want: [bearer({ realm: 'https://a.example/t?x="1"', scope: "repository:a:pull,push" })],
  },
  {
    why: "parameter names are case-insensitive; the first occurrence wins",
    field: 'bearer REALM="first",Realm="second"',
    want: [{ scheme: "bearer", params: { realm: "first" }, token68: null }],
  },
  {
    why: "two challenges in one field",
    field: 'Basic realm="Registry Realm", Bearer realm="https://auth/t",service="r"',
    want: [
      { scheme: "Basic", params: { realm: "Registry Realm" }, token68: null },
      bearer({ realm: "https://auth/t", service: "r" }),
    ],
  },
  {
    why: "separate field lines",
    field: ['Basic realm="r"', 'Bearer realm="https://auth/t"'],
    want: [{ scheme: "Basic", params: { realm: "r" }, token68: null }, bearer({ realm: "https://auth/t" })],
  },
  {
    why: "token68 and a bare scheme",
    field: "Negotiate abc+/def==, Basic",
    want: [
      { scheme: "Negotiate", params: {}, token68: "abc+/def==" },
      { scheme: "Basic", params: {}, token68: null },
    ],
  },
  {
    why: "unterminated quoted string runs to the end",
    field: 'Bearer realm="https://auth/t',
    want: [bearer({ realm: "https://auth/t" })],
  },
  { why: "empty field", field: "", want: [] },
  {
    why: "junk is skipped, not thrown",
    field: '=== , Bearer realm="x"',
    want: [bearer({ realm: "x" })],
  },
];

for (const c of CASES) {
  test(`parseChallenges: ${c.why}`, () => {
    assert.deepEqual(parseChallenges(c.field), c.want);
  });
}

test("preferredChallenge: Bearer over Basic over others, regardless of order and case", () => {
  const parsed = parseChallenges('Negotiate x, Basic realm="b", BEARER realm="t"');
  assert.equal(preferredChallenge(parsed)?.params.realm, "t");
  assert.equal(preferredChallenge(parseChallenges('Negotiate x, Basic realm="b"'))?.scheme, "Basic");
  assert.equal(preferredChallenge(parseChallenges("Negotiate x"))?.scheme, "Negotiate");
  assert.equal(preferredChallenge([]), null);
});
