// cloak-indexer's command line: the kit's commands (config, start, migrate) and the indexer's own.
import { serviceCli } from "@cloak/service-kit";
import { registerRecoveryCommands } from "./commands/index.ts";
import { indexerService } from "./service.ts";

const program = serviceCli(indexerService);
registerRecoveryCommands(program);
await program.parseAsync();
