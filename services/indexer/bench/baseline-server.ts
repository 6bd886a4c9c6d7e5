// The calibration target of `npm run bench:indexer`'s path load: a plain node:http server that answers
// any GET with a JSON body shaped and sized like a Merkle path answer, built per request. The same load
// against it shows what the machine and the load tool add to a response time on their own.
//   node --import tsx bench/baseline-server.ts --port P
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const hex = (i: number) => `0x${i.toString(16).padStart(64, "0")}`;
let served = 0;
createServer((_request, response) => {
  served += 1;
  const body = JSON.stringify({
    pool: hex(1).slice(0, 42),
    tree: 0,
    index: served,
    leaf: hex(served),
    root: hex(2),
    pathElements: Array.from({ length: 20 }, (_, level) => hex(served + level)),
    pathIndices: Array.from({ length: 20 }, (_, level) => (served >> level) & 1),
  });
  response.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(body);
}).listen(Number(values.port), "127.0.0.1", () => console.log(JSON.stringify({ msg: "listening" })));
