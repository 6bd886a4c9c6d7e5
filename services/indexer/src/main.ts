// cloak-indexer's command line: the kit's commands (config, start, migrate) and the indexer's own.
import { serviceCli } from "@cloak/service-kit";
import { indexerService } from "./service.ts";

const program = serviceCli(indexerService);
await program.parseAsync();
