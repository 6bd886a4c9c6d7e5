import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServiceDefinition } from "@cloak/service-kit";
import { RELAY_SPEC } from "./config.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR = join(here, "..", "migrations");
export const VERSION = (JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8")) as { version: string }).version;

/**
 * cloak-relay (in progress, issue 12): the intake, the job queue and the senders are built in
 * src/intake/, src/queue/ and src/senders/ and wired here.
 */
export const relayService: ServiceDefinition<typeof RELAY_SPEC.extra> = {
  ...RELAY_SPEC,
  version: VERSION,
  description: "takes withdrawal proofs, checks them, and submits them from its own key through a durable job queue",
  migrationsDir: MIGRATIONS_DIR,
  async start() {
    return {};
  },
};
