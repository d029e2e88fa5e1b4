import assert from "node:assert/strict";
import { createServer } from "node:http";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { Budget, BudgetExpired } from "./budget.ts";
import { BODY_LIMIT_BYTES, httpGet } from "./http-get.ts";
import { listen } from "./testing/loopback.ts";

async function connected(port: number): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  return socket;
}

test("reads at most BODY_LIMIT_BYTES of a large body, then drops the connection", async (t) => {
  const server = await listen(
    createServer((_req, res) => {
      res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
      res.setHeader("WWW-Authenticate", ['Basic realm="a"', 'Bearer realm="b"']);
      res.end(Buffer.alloc(1024 * 1024, 0x61));
    }),
  );
  t.after(() => server.close());
  const socket = await connected(server.port);
  const answer = await httpGet(socket, { path: "/v2/", hostHeader: "h:1" }, new Budget(3000));
  assert.equal(answer.status, 200);
  assert.equal(answer.apiVersion, "registry/2.0");
  assert.deepEqual(answer.challenges, ['Basic realm="a"', 'Bearer realm="b"']);
  assert.equal(answer.body.length, BODY_LIMIT_BYTES);
  assert.equal(socket.destroyed, true);
});

test("a body that stalls is cut short at the deadline; the status still counts", async (t) => {
  const server = await listen(
    createServer((_req, res) => {
      res.writeHead(401, { "Content-Length": "100" });
      res.write("partial");
    }),
  );
  t.after(() => server.close());
  const started = performance.now();
  const answer = await httpGet(
    await connected(server.port),
    { path: "/v2/", hostHeader: "h" },
    new Budget(200),
  );
  assert.equal(answer.status, 401);
  assert.equal(answer.body.toString(), "partial");
  assert.ok(performance.now() - started < 1200);
});

test("no answer at all within the budget rejects with BudgetExpired", async (t) => {
  const server = await listen(createServer(() => {}));
  t.after(() => server.close());
  await assert.rejects(
    httpGet(await connected(server.port), { path: "/v2/", hostHeader: "h" }, new Budget(150)),
    BudgetExpired,
  );
});
