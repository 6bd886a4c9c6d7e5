// Builds the Anchor IDLs the way the anchor CLI does (`cargo test __anchor_private_print_idl
// --features idl-build`, then assembling the printed pieces), without needing the CLI:
//   npm run idl            writes programs/idl/<program>.json and sdk/src/solana/idl/<program>.ts
//   npm run idl -- --check exits 1 when the committed files differ from what the code produces
// The TypeScript file carries the IDL both as a value and as the camelCase type Anchor's `Program`
// expects, so clients are typed from the same build.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Idl } from "@coral-xyz/anchor";

const require = createRequire(import.meta.url);
// Anchor's own snake_case → camelCase conversion, the one `new Program(idl)` applies at runtime.
const { convertIdlToCamelCase } = require("@coral-xyz/anchor/dist/cjs/idl.js") as {
  convertIdlToCamelCase: <I extends Idl>(idl: I) => I;
};

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PROGRAMS = [
  { crate: "shield-pool", name: "shield_pool", typeName: "ShieldPool" },
  { crate: "scramble-registry", name: "scramble_registry", typeName: "ScrambleRegistry" },
] as const;

type Section = "address" | "program" | "errors" | "event" | "const";

interface Pieces {
  address?: string;
  program?: Idl;
  errors?: Idl["errors"];
  events: NonNullable<Idl["events"]>;
  eventTypes: NonNullable<Idl["types"]>;
  constants: NonNullable<Idl["constants"]>;
}

class IdlBuildError extends Error {}

function printIdl(crate: string): string {
  const result = spawnSync(
    "cargo",
    ["test", "-p", crate, "--lib", "--locked", "--features", "idl-build", "__anchor_private_print_idl", "--", "--show-output", "--quiet"],
    {
      cwd: repoRoot,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        ANCHOR_IDL_BUILD_PROGRAM_PATH: join(repoRoot, "programs", crate),
        ANCHOR_IDL_BUILD_NO_DOCS: "FALSE",
        ANCHOR_IDL_BUILD_RESOLUTION: "TRUE",
        ANCHOR_IDL_BUILD_SKIP_LINT: "TRUE",
      },
    },
  );
  if (result.status !== 0) throw new IdlBuildError(`${crate}: cargo test __anchor_private_print_idl failed (exit ${result.status})`);
  return result.stdout;
}

function parsePieces(crate: string, output: string): Pieces {
  const pieces: Pieces = { events: [], eventTypes: [], constants: [] };
  let section: Section | undefined;
  let lines: string[] = [];
  for (const line of output.split("\n")) {
    const begin = /^--- IDL begin (address|program|errors|event|const) ---$/.exec(line);
    if (begin) {
      section = begin[1] as Section;
      lines = [];
      continue;
    }
    if (section === undefined) continue;
    if (line !== `--- IDL end ${section} ---`) {
      lines.push(line);
      continue;
    }
    const text = lines.join("\n");
    switch (section) {
      case "address":
        pieces.address = text.replace(/[^0-9A-Za-z]/g, "");
        break;
      case "program":
        pieces.program = JSON.parse(text) as Idl;
        break;
      case "errors":
        if (pieces.errors) throw new IdlBuildError(`${crate}: more than one #[error_code] enum`);
        pieces.errors = JSON.parse(text) as Idl["errors"];
        break;
      case "event": {
        const printed = JSON.parse(text) as { event: NonNullable<Idl["events"]>[number]; types: NonNullable<Idl["types"]> };
        pieces.events.push(printed.event);
        pieces.eventTypes.push(...printed.types);
        break;
      }
      case "const":
        pieces.constants.push(JSON.parse(text) as NonNullable<Idl["constants"]>[number]);
        break;
    }
    section = undefined;
  }
  return pieces;
}

function assemble(crate: string, pieces: Pieces): Idl {
  if (!pieces.program) throw new IdlBuildError(`${crate}: the build printed no program IDL`);
  if (!pieces.address) throw new IdlBuildError(`${crate}: the build printed no program address`);
  // Types by name, the program's own definitions winning: what the anchor CLI produces (`finish` sorts).
  const types = new Map<string, NonNullable<Idl["types"]>[number]>();
  for (const type of pieces.eventTypes) types.set(type.name, type);
  for (const type of pieces.program.types ?? []) types.set(type.name, type);
  return {
    ...pieces.program,
    address: pieces.address,
    constants: pieces.constants,
    events: pieces.events,
    errors: pieces.errors ?? [],
    types: [...types.values()],
  };
}

/**
 * Shortens Rust paths (`"shield_pool::state::pool::Pool"`) to the item name wherever that name is
 * unambiguous, then sorts each list by name: the anchor CLI's finishing steps, so our IDL reads the
 * same as one it would produce.
 */
function finish(idl: Idl): Idl {
  const text = JSON.stringify(idl);
  const paths = new Set([...text.matchAll(/"((?:\w+::)+)(\w+)"/g)].map((match) => match[0]));
  const namesByShort = new Map<string, Set<string>>();
  for (const path of paths) {
    const short = path.slice(path.lastIndexOf("::") + 2, -1);
    namesByShort.set(short, (namesByShort.get(short) ?? new Set()).add(path));
  }
  let shortened = text;
  for (const [short, full] of namesByShort) {
    if (full.size !== 1) continue;
    shortened = shortened.split([...full][0]!).join(`"${short}"`);
  }
  const result = JSON.parse(shortened) as Idl;
  const byName = <T extends { name: string }>(items: T[] | undefined) =>
    items ? [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : items;
  return {
    ...result,
    instructions: byName(result.instructions)!,
    accounts: byName(result.accounts),
    events: byName(result.events),
    types: byName(result.types),
    constants: byName(result.constants),
  };
}

function typescriptModule(typeName: string, idl: Idl): string {
  const constName = `${typeName.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}_IDL`;
  return [
    `// Generated by scripts/idl.ts from programs/idl/${idl.metadata.name}.json. Do not edit: run \`npm run idl\`.`,
    "",
    `/** The ${idl.metadata.name} IDL with Anchor's camelCase names, the type parameter of \`Program\`. */`,
    `export type ${typeName} = ${JSON.stringify(convertIdlToCamelCase(idl), null, 2)};`,
    "",
    `/** The ${idl.metadata.name} IDL as built, the value \`new Program(...)\` takes. */`,
    `export const ${constName} = ${JSON.stringify(idl, null, 2)} as const;`,
    "",
  ].join("\n");
}

function main(): number {
  const check = process.argv.includes("--check");
  const outputs: Array<{ path: string; content: string }> = [];
  for (const program of PROGRAMS) {
    const idl = finish(assemble(program.crate, parsePieces(program.crate, printIdl(program.crate))));
    outputs.push({ path: join(repoRoot, "programs/idl", `${program.name}.json`), content: `${JSON.stringify(idl, null, 2)}\n` });
    outputs.push({ path: join(repoRoot, "sdk/src/solana/idl", `${program.name}.ts`), content: typescriptModule(program.typeName, idl) });
  }
  const stale: string[] = [];
  for (const { path, content } of outputs) {
    if (check) {
      let committed = "";
      try {
        committed = readFileSync(path, "utf8");
      } catch {
        // A missing file is stale like a different one.
      }
      if (committed !== content) stale.push(relative(repoRoot, path));
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      console.log(`wrote ${relative(repoRoot, path)}`);
    }
  }
  if (stale.length > 0) {
    console.error(`IDL out of date (run \`npm run idl\` and commit): ${stale.join(", ")}`);
    return 1;
  }
  if (check) console.log("IDL up to date");
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  if (!(error instanceof IdlBuildError)) throw error;
  console.error(`idl: ${error.message}`);
  process.exitCode = 2;
}
