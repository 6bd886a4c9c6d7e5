// The kit's tests use the services' shared test support (@cloak/service-testkit) and the example service.
export { BACKENDS, Child, freshServerDatabase, reachableTempDir, runTs, type LogLine } from "@cloak/service-testkit";
export { freeLoopbackPort as freePort } from "../../src/index.ts";

export const EXAMPLE_SERVICE = new URL("../example/service.ts", import.meta.url).pathname;
