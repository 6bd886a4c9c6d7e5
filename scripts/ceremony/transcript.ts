import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";

/** Where a ceremony stands; every command checks it before acting. */
export type CeremonyStage = "phase2" | "final" | "exported";

export interface Phase1Record {
  /** "local" when `new` made phase 1 here (development only), "imported" for a given .ptau file. */
  source: "local" | "imported";
  power: number;
  contributions: Array<{ name: string; hash: string }>;
  preparedPtauSha256: string;
}

export interface Phase2Contribution {
  index: number;
  name: string;
  /** snarkjs' contribution hash: what the contributor publishes so anyone can check it is in the chain. */
  contributionHash: string;
  zkeySha256: string;
  at: string;
}

export interface CeremonyTranscript {
  format: "cloak-ceremony/1";
  circuit: {
    template: "Transaction";
    depth: number;
    constraints: number;
    publicInputs: number;
    r1csSha256: string;
  };
  stage: CeremonyStage;
  createdAt: string;
  phase1: Phase1Record;
  phase2: {
    initialZkeySha256: string;
    contributions: Phase2Contribution[];
    beacon?: { hash: string; iterationsExp: number; contributionHash: string; zkeySha256: string; at: string };
  };
  verified?: { at: string; zkeySha256: string };
  exported?: {
    at: string;
    verificationKeySha256: string;
    verifierSha256: string;
    artifactsDir: string;
    verifierPath: string;
  };
}

export class CeremonyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CeremonyError";
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

export function readTranscript(path: string): CeremonyTranscript | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, "utf8")) as CeremonyTranscript;
  if (parsed.format !== "cloak-ceremony/1") {
    throw new CeremonyError(`${path}: unknown transcript format '${String(parsed.format)}'`);
  }
  return parsed;
}

/** Written through a temporary file so an interrupted command never leaves a torn transcript. */
export function writeTranscript(path: string, transcript: CeremonyTranscript): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(transcript, null, 2)}\n`);
  renameSync(tmp, path);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
