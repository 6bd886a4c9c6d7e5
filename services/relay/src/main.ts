// cloak-relay's command line: the kit's commands (config, start, migrate) and the relay's own.
import { serviceCli } from "@cloak/service-kit";
import { registerJobCommands } from "./commands/jobs.ts";
import { relayService } from "./service.ts";

const program = serviceCli(relayService);
registerJobCommands(program);
await program.parseAsync();
