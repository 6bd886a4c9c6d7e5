import type { AdminContext, AdminOutcome } from "./admin.ts";
import { TaskError, TaskErrorCode } from "./errors.ts";
import type { Call } from "./timelock.ts";

export interface SafeFlags {
  out: string;
  proposal: string;
  propose: boolean;
}

/** --via-safe: prepares the calls as a Safe proposal. */
export async function safeRoute(_ctx: AdminContext, _flags: SafeFlags, _calls: Call[], _description: string): Promise<AdminOutcome> {
  throw new TaskError(TaskErrorCode.INVALID_ARGUMENT, "--via-safe is not available in this build yet; send with --from a key that holds the role");
}
