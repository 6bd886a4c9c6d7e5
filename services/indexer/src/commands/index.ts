import type { serviceCli } from "@cloak/service-kit";
import { registerFindValidSnapshot } from "./find-valid-snapshot.ts";
import { registerReplay } from "./replay.ts";
import { registerRestore } from "./restore.ts";
import { registerSnapshotCommands } from "./snapshot.ts";
import { registerVerifyState } from "./verify-state.ts";

/** The runbook's snapshot and recovery procedures, one command each (docs/indexer-recovery.md). */
export function registerRecoveryCommands(program: ReturnType<typeof serviceCli>): void {
  registerSnapshotCommands(program);
  registerRestore(program);
  registerFindValidSnapshot(program);
  registerVerifyState(program);
  registerReplay(program);
}
