// A real third-party OAuth issuer for tests: oauth2-mock-server (npm), RS256 keys, on loopback.
// Usage: node issuer.mjs <path to oauth2-mock-server's dist/index.mjs> <port>
// Prints {"issuer": "..."} once listening. Token requests may add, for the tests' bad tokens:
//   exp_in=<seconds from now> (negative: already expired), iss=<another issuer>.
// A line "rotate" on stdin adds a new signing key (tokens then alternate between the keys).
import { createInterface } from "node:readline";

const [, , modulePath, port] = process.argv;
const { OAuth2Server } = await import(modulePath);
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeTokenSigning", (token, req) => {
  const body = req.body || {};
  if (body.exp_in !== undefined) token.payload.exp = Math.floor(Date.now() / 1000) + Number(body.exp_in);
  if (body.iss !== undefined) token.payload.iss = String(body.iss);
});
await server.start(Number(port), "127.0.0.1");
console.log(JSON.stringify({ issuer: server.issuer.url }));
createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line.trim() === "rotate") {
    await server.issuer.keys.generate("RS256");
    console.log(JSON.stringify({ rotated: true }));
  }
});
process.stdin.on("end", () => server.stop().then(() => process.exit(0)));
