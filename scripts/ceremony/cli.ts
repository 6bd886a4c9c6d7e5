// The Groth16 trusted-setup ceremony for Cloak's join-split circuit, offline end to end.
// Invoked through scripts/trusted-setup-ceremony.sh; `help` lists the commands.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as snarkjs from "snarkjs";
import {
  CeremonyError,
  readTranscript,
  sha256File,
  toHex,
  writeTranscript,
  type CeremonyTranscript,
} from "./transcript.ts";
import { renderSolanaVerifyingKey, type SnarkjsVerificationKey } from "./solana-vk.ts";
import { renderVerifier, verifierContractName } from "./verifier.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PRODUCTION_DEPTH = 20;
const DEFAULT_BEACON_ITERATIONS_EXP = 10;
const ENTROPY_BYTES = 64;

const USAGE = `Usage: scripts/trusted-setup-ceremony.sh <command> [options]

Commands, in ceremony order:
  new                 compile the circuit, make phase 1 (or import one with --ptau) and start phase 2
  contribute --name N add a phase-2 contribution with fresh entropy from the operating system
  verify              check every contribution of the current key against the circuit and phase 1
  beacon --beacon HEX close phase 2 with a public random beacon (alias: finalize), then verify
  export              write the verification key, the Solidity verifier and the checksummed artifacts
  status              print where the ceremony stands

Options:
  --depth N           tree depth of the circuit (default ${PRODUCTION_DEPTH})
  --dir DIR           ceremony directory: transcript.json plus work/ (default circuits/ceremony/transaction_N)
  --ptau FILE         new: use this prepared Powers of Tau file instead of a local phase 1
  --power P           new: power of the local phase 1 (default: the smallest that fits the circuit)
  --name NAME         contribute: the contributor's public name
  --beacon HEX        beacon/finalize: the beacon value, fixed in advance (e.g. a future block hash)
  --iterations E      beacon/finalize: 2^E hash iterations (default ${DEFAULT_BEACON_ITERATIONS_EXP})
  --out DIR           export: artifacts directory (default circuits/artifacts/transaction_N)
  --verifier-out FILE export: Solidity verifier path (default contracts/verifiers/TransactionNVerifier.sol)
  --solana-vk-out FILE export: groth16-solana verifying key (default program-libs/cloak-zk/src/verifying_key.rs
                      for depth ${PRODUCTION_DEPTH}, else <out>/verifying_key.rs)
  --force             new: discard an existing ceremony in --dir`;

interface Options {
  depth: number;
  dir: string;
  ptau?: string;
  power?: number;
  name?: string;
  beacon?: string;
  iterations: number;
  out: string;
  verifierOut: string;
  solanaVkOut: string;
  force: boolean;
}

interface Paths {
  transcript: string;
  work: string;
  build: string;
  r1cs: string;
  wasm: string;
  ptau: string;
  zkey: (index: number) => string;
  finalZkey: string;
}

function fail(message: string): never {
  throw new CeremonyError(message);
}

function parseInteger(value: string | undefined, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) fail(`--${field} must be an integer, got '${value}'`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) fail(`--${field} must be from ${min} to ${max}, got ${parsed}`);
  return parsed;
}

function parseOptions(argv: string[]): { command: string; options: Options } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      depth: { type: "string" },
      dir: { type: "string" },
      ptau: { type: "string" },
      power: { type: "string" },
      name: { type: "string" },
      beacon: { type: "string" },
      iterations: { type: "string" },
      out: { type: "string" },
      "verifier-out": { type: "string" },
      "solana-vk-out": { type: "string" },
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const command = values.help ? "help" : (positionals[0] ?? "help");
  if (positionals.length > 1) fail(`unexpected argument '${positionals[1]}'`);
  const depth = parseInteger(values.depth, "depth", 1, 32) ?? PRODUCTION_DEPTH;
  const out = resolve(values.out ?? join(repoRoot, "circuits/artifacts", `transaction_${depth}`));
  // Only the production key belongs in the Solana library; other depths keep theirs with the artifacts.
  const defaultSolanaVk = depth === PRODUCTION_DEPTH ? join(repoRoot, "program-libs/cloak-zk/src/verifying_key.rs") : join(out, "verifying_key.rs");
  return {
    command,
    options: {
      depth,
      dir: resolve(values.dir ?? join(repoRoot, "circuits/ceremony", `transaction_${depth}`)),
      ptau: values.ptau === undefined ? undefined : resolve(values.ptau),
      power: parseInteger(values.power, "power", 8, 28),
      name: values.name,
      beacon: values.beacon,
      iterations: parseInteger(values.iterations, "iterations", 0, 63) ?? DEFAULT_BEACON_ITERATIONS_EXP,
      out,
      solanaVkOut: resolve(values["solana-vk-out"] ?? defaultSolanaVk),
      verifierOut: resolve(
        values["verifier-out"] ?? join(repoRoot, "contracts/verifiers", `${verifierContractName(depth)}.sol`),
      ),
      force: values.force,
    },
  };
}

function pathsFor(options: Options): Paths {
  const work = join(options.dir, "work");
  const build = join(work, "build");
  const base = `transaction_${options.depth}`;
  return {
    transcript: join(options.dir, "transcript.json"),
    work,
    build,
    r1cs: join(build, `${base}.r1cs`),
    wasm: join(build, `${base}_js`, `${base}.wasm`),
    ptau: join(work, "phase1_final.ptau"),
    zkey: (index) => join(work, `${base}_${String(index).padStart(4, "0")}.zkey`),
    finalZkey: join(work, `${base}_final.zkey`),
  };
}

/** snarkjs logs through this shape; we keep its progress lines but prefix them. */
const logger = {
  debug: () => {},
  info: (message: string) => console.log(`  ${message}`),
  warn: (message: string) => console.warn(`  warning: ${message}`),
  error: (message: string) => console.error(`  error: ${message}`),
};

function osEntropy(): string {
  return toHex(randomBytes(ENTROPY_BYTES));
}

function now(): string {
  return new Date().toISOString();
}

function requireTranscript(paths: Paths, options: Options, command: string): CeremonyTranscript {
  const transcript = readTranscript(paths.transcript);
  if (!transcript) fail(`no ceremony in ${options.dir}: run 'new' before '${command}'`);
  if (transcript.circuit.depth !== options.depth) {
    fail(`the ceremony in ${options.dir} is for depth ${transcript.circuit.depth}, not --depth ${options.depth}`);
  }
  return transcript;
}

function latestZkey(paths: Paths, transcript: CeremonyTranscript): string {
  if (transcript.phase2.beacon) return paths.finalZkey;
  return paths.zkey(transcript.phase2.contributions.length);
}

async function requireFile(path: string, expectedSha256: string, what: string): Promise<void> {
  if (!existsSync(path)) fail(`${what} ${path} is missing: the work directory does not match the transcript`);
  const actual = await sha256File(path);
  if (actual !== expectedSha256) {
    fail(`${what} ${path} has sha256 ${actual} but the transcript records ${expectedSha256}`);
  }
}

function smallestPower(constraints: number, publicInputs: number): number {
  // snarkjs needs a domain of at least constraints + public inputs + 1 points.
  return Math.max(8, Math.ceil(Math.log2(constraints + publicInputs + 1)));
}

async function commandNew(options: Options, paths: Paths): Promise<void> {
  if (existsSync(paths.transcript) && !options.force) {
    fail(`a ceremony already exists in ${options.dir}: continue it, or pass --force to discard it`);
  }
  if (options.ptau && options.power !== undefined) fail("--power and --ptau exclude each other");
  if (options.ptau && !existsSync(options.ptau)) fail(`--ptau ${options.ptau} does not exist`);
  rmSync(paths.work, { recursive: true, force: true });
  mkdirSync(paths.build, { recursive: true });

  console.log(`Compiling the depth-${options.depth} circuit`);
  execFileSync("bash", [join(repoRoot, "scripts/compile-circuit.sh"), "--depth", String(options.depth), "--out", paths.build], {
    stdio: "inherit",
  });
  const r1cs = await snarkjs.r1cs.info(paths.r1cs);
  const publicInputs = r1cs.nPubInputs + r1cs.nOutputs;
  const needed = smallestPower(r1cs.nConstraints, publicInputs);

  const curve = await snarkjs.curves.getCurveFromName("bn128");
  let phase1: CeremonyTranscript["phase1"];
  if (options.ptau) {
    console.log(`Phase 1: importing ${options.ptau}`);
    copyFileSync(options.ptau, paths.ptau);
    phase1 = { source: "imported", power: needed, contributions: [], preparedPtauSha256: await sha256File(paths.ptau) };
  } else {
    const power = options.power ?? needed;
    if (power < needed) fail(`--power ${power} is too small: the circuit needs 2^${needed}`);
    console.log(`Phase 1: local Powers of Tau 2^${power} (development only: one local contributor)`);
    const initial = join(paths.work, "phase1_0000.ptau");
    const contributed = join(paths.work, "phase1_0001.ptau");
    await snarkjs.powersOfTau.newAccumulator(curve, power, initial, logger);
    const name = `local phase 1 on ${hostname()}`;
    const hash = await snarkjs.powersOfTau.contribute(initial, contributed, name, osEntropy(), logger);
    console.log(`Phase 1: preparing for phase 2 (the slow step)`);
    await snarkjs.powersOfTau.preparePhase2(contributed, paths.ptau, logger);
    rmSync(initial);
    rmSync(contributed);
    phase1 = {
      source: "local",
      power,
      contributions: [{ name, hash: toHex(hash) }],
      preparedPtauSha256: await sha256File(paths.ptau),
    };
  }

  console.log("Phase 2: Groth16 setup");
  await snarkjs.zKey.newZKey(paths.r1cs, paths.ptau, paths.zkey(0), logger);
  const transcript: CeremonyTranscript = {
    format: "cloak-ceremony/1",
    circuit: {
      template: "Transaction",
      depth: options.depth,
      constraints: r1cs.nConstraints,
      publicInputs,
      r1csSha256: await sha256File(paths.r1cs),
    },
    stage: "phase2",
    createdAt: now(),
    phase1,
    phase2: { initialZkeySha256: await sha256File(paths.zkey(0)), contributions: [] },
  };
  mkdirSync(options.dir, { recursive: true });
  writeTranscript(paths.transcript, transcript);
  console.log(`Ceremony started in ${relative(process.cwd(), options.dir) || "."}: ${r1cs.nConstraints} constraints.`);
  console.log("Next: contribute --name <your name> (once per participant), then beacon --beacon <hex>.");
}

async function commandContribute(options: Options, paths: Paths): Promise<void> {
  const transcript = requireTranscript(paths, options, "contribute");
  if (transcript.stage !== "phase2") fail(`phase 2 is closed (stage '${transcript.stage}'): start a new ceremony to contribute`);
  const name = options.name?.trim();
  if (!name) fail("contribute needs --name <contributor name>: it is published in the transcript");
  const index = transcript.phase2.contributions.length;
  const previous = paths.zkey(index);
  await requireFile(previous, index === 0 ? transcript.phase2.initialZkeySha256 : transcript.phase2.contributions[index - 1]!.zkeySha256, "key");
  const next = paths.zkey(index + 1);
  const hash = await snarkjs.zKey.contribute(previous, next, name, osEntropy(), logger);
  transcript.phase2.contributions.push({
    index: index + 1,
    name,
    contributionHash: toHex(hash),
    zkeySha256: await sha256File(next),
    at: now(),
  });
  writeTranscript(paths.transcript, transcript);
  console.log(`Contribution #${index + 1} by '${name}' recorded. Publish its hash: ${toHex(hash)}`);
}

async function verifyKey(paths: Paths, zkey: string): Promise<void> {
  const ok = await snarkjs.zKey.verifyFromR1cs(paths.r1cs, paths.ptau, zkey, logger);
  if (!ok) fail(`verification FAILED for ${zkey}: do not use this key`);
}

async function commandVerify(options: Options, paths: Paths): Promise<void> {
  const transcript = requireTranscript(paths, options, "verify");
  await requireFile(paths.ptau, transcript.phase1.preparedPtauSha256, "phase-1 file");
  await requireFile(paths.r1cs, transcript.circuit.r1csSha256, "circuit");
  const zkey = latestZkey(paths, transcript);
  await verifyKey(paths, zkey);
  transcript.verified = { at: now(), zkeySha256: await sha256File(zkey) };
  writeTranscript(paths.transcript, transcript);
  console.log(`Verified: ${relative(process.cwd(), zkey)} descends from the circuit and phase 1 through every recorded contribution.`);
}

async function commandBeacon(options: Options, paths: Paths): Promise<void> {
  const transcript = requireTranscript(paths, options, "beacon");
  if (transcript.stage !== "phase2") fail(`phase 2 is already closed (stage '${transcript.stage}')`);
  const contributions = transcript.phase2.contributions;
  if (contributions.length === 0) fail("beacon needs at least one contribution: run 'contribute --name <name>' first");
  const beacon = options.beacon?.replace(/^0x/, "");
  if (!beacon) fail("beacon needs --beacon <hex>: a public random value fixed in advance, such as a future block hash");
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(beacon)) fail(`--beacon must be 16 to 64 bytes of hex, got '${options.beacon}'`);
  const previous = paths.zkey(contributions.length);
  await requireFile(previous, contributions[contributions.length - 1]!.zkeySha256, "key");
  const hash = await snarkjs.zKey.beacon(previous, paths.finalZkey, "final beacon", beacon, options.iterations, logger);
  if (!hash) fail("snarkjs refused the beacon");
  await verifyKey(paths, paths.finalZkey);
  const zkeySha256 = await sha256File(paths.finalZkey);
  transcript.phase2.beacon = {
    hash: beacon.toLowerCase(),
    iterationsExp: options.iterations,
    contributionHash: toHex(hash),
    zkeySha256,
    at: now(),
  };
  transcript.stage = "final";
  transcript.verified = { at: now(), zkeySha256 };
  writeTranscript(paths.transcript, transcript);
  console.log("Phase 2 closed with the beacon and verified. Next: export.");
}

async function commandExport(options: Options, paths: Paths): Promise<void> {
  const transcript = requireTranscript(paths, options, "export");
  if (transcript.stage === "phase2") fail("export needs a finalized key: run 'beacon --beacon <hex>' first");
  const beacon = transcript.phase2.beacon!;
  await requireFile(paths.finalZkey, beacon.zkeySha256, "final key");

  const verificationKey = await snarkjs.zKey.exportVerificationKey(paths.finalZkey, logger);
  const verifier = renderVerifier(verificationKey, options.depth);

  mkdirSync(options.out, { recursive: true });
  mkdirSync(dirname(options.verifierOut), { recursive: true });
  const files = {
    "transaction.wasm": paths.wasm,
    "transaction_final.zkey": paths.finalZkey,
  };
  for (const [name, source] of Object.entries(files)) copyFileSync(source, join(options.out, name));
  writeFileSync(join(options.out, "verification_key.json"), `${JSON.stringify(verificationKey, null, 2)}\n`);
  writeFileSync(options.verifierOut, verifier);
  mkdirSync(dirname(options.solanaVkOut), { recursive: true });
  writeFileSync(options.solanaVkOut, renderSolanaVerifyingKey(verificationKey as SnarkjsVerificationKey));

  const manifest = {
    circuit: transcript.circuit,
    files: {} as Record<string, string>,
  };
  const sums: string[] = [];
  for (const name of ["transaction.wasm", "transaction_final.zkey", "verification_key.json"]) {
    const digest = await sha256File(join(options.out, name));
    manifest.files[name] = digest;
    sums.push(`${digest}  ${name}`);
  }
  writeFileSync(join(options.out, "SHA256SUMS"), `${sums.join("\n")}\n`);
  writeFileSync(join(options.out, "circuit.json"), `${JSON.stringify(manifest.circuit, null, 2)}\n`);

  transcript.stage = "exported";
  transcript.exported = {
    at: now(),
    verificationKeySha256: manifest.files["verification_key.json"]!,
    verifierSha256: await sha256File(options.verifierOut),
    artifactsDir: relative(repoRoot, options.out),
    verifierPath: relative(repoRoot, options.verifierOut),
  };
  writeTranscript(paths.transcript, transcript);
  console.log(
    `Exported to ${relative(process.cwd(), options.out)}, ${relative(process.cwd(), options.verifierOut)} and ${relative(process.cwd(), options.solanaVkOut)}.`,
  );
}

function commandStatus(options: Options, paths: Paths): void {
  const transcript = requireTranscript(paths, options, "status");
  const { circuit, phase1, phase2 } = transcript;
  console.log(`Ceremony for Transaction(${circuit.depth}): ${circuit.constraints} constraints, stage '${transcript.stage}'`);
  console.log(`Phase 1: ${phase1.source}, 2^${phase1.power}, ${phase1.contributions.length} contribution(s)`);
  console.log(`Phase 2: ${phase2.contributions.length} contribution(s)`);
  for (const c of phase2.contributions) console.log(`  #${c.index} ${c.name} ${c.contributionHash.slice(0, 32)}…`);
  if (phase2.beacon) console.log(`Beacon: ${phase2.beacon.hash} (2^${phase2.beacon.iterationsExp} iterations)`);
  if (transcript.exported) console.log(`Exported: ${transcript.exported.artifactsDir}, ${transcript.exported.verifierPath}`);
}

async function main(): Promise<void> {
  const { command, options } = parseOptions(process.argv.slice(2));
  const paths = pathsFor(options);
  switch (command) {
    case "new":
      return commandNew(options, paths);
    case "contribute":
      return commandContribute(options, paths);
    case "verify":
      return commandVerify(options, paths);
    case "beacon":
    case "finalize":
      return commandBeacon(options, paths);
    case "export":
      return commandExport(options, paths);
    case "status":
      return commandStatus(options, paths);
    case "help":
      console.log(USAGE);
      return;
    default:
      fail(`unknown command '${command}'\n\n${USAGE}`);
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    if (error instanceof CeremonyError || (error instanceof TypeError && "code" in error)) {
      console.error(`ceremony: ${error.message}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  });
