export { relayService } from "./service.ts";
export { RELAY_SPEC, type RelayConfig } from "./config.ts";
export { RelayError, RelayErrorCode } from "./errors.ts";
