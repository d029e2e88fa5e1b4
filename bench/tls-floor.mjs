// The floor for any Node diagnose: a bare Node process that resolves the name,
// does one TLS handshake and one GET /v2/, with no regtrust code at all. Not a
// diagnosis (it verifies nothing); bench/run.ts times it next to `regtrust
// diagnose` so the report can say how much of diagnose is Node's own cost.
import { connect } from "node:tls";

const [host, port] = (process.argv[2] ?? "").split(":");
const socket = connect({ host, port: Number(port), servername: host, rejectUnauthorized: false }, () => {
  socket.getPeerCertificate(true);
  socket.end(`GET /v2/ HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`);
});
let answer = "";
socket.setEncoding("latin1");
socket.on("data", (chunk) => {
  answer += chunk;
});
socket.on("close", () => process.exit(answer.startsWith("HTTP/1.1 ") ? 0 : 1));
socket.on("error", () => process.exit(1));
setTimeout(() => process.exit(2), 10_000).unref();
