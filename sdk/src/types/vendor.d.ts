// Minimal declarations for the untyped JavaScript libraries the SDK uses internally.
// They stay internal: no public SDK type refers to these modules.
declare module "circomlibjs" {
  export function buildPoseidon(): Promise<unknown>;
}

declare module "circom_runtime" {
  export interface WitnessCalculator {
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(
    code: Uint8Array,
    options?: { sanityCheck?: boolean },
  ): Promise<WitnessCalculator>;
}

declare module "snarkjs" {
  export interface SnarkjsProof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export const groth16: {
    prove(zkey: Uint8Array | string, witness: Uint8Array | string, logger?: unknown): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
    fullProve(input: Record<string, unknown>, wasm: Uint8Array | string, zkey: Uint8Array | string): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
    verify(vkey: object, publicSignals: readonly string[], proof: SnarkjsProof, logger?: unknown): Promise<boolean>;
    exportSolidityCallData(proof: SnarkjsProof, publicSignals: readonly string[]): Promise<string>;
  };
  export const zKey: {
    exportVerificationKey(zkey: Uint8Array | string, logger?: unknown): Promise<Record<string, unknown>>;
  };
}
