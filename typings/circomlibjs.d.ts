// The parts of circomlibjs (untyped JavaScript) the root's scripts and tests use: its generated Poseidon hasher
// (bench/poseidon-gas.ts) and its reference Poseidon (scripts/poseidon-evm.ts, test/contracts/Poseidon.ts).
declare module "circomlibjs" {
  export const poseidonContract: {
    /** Creation code of a contract computing Poseidon with `nInputs` inputs. */
    createCode(nInputs: number): string;
    /** Its ABI: `poseidon(bytes32[n])` and `poseidon(uint256[n])`. */
    generateABI(nInputs: number): object[];
  };
  /** circomlib's Poseidon: `poseidon(inputs)` reduces each input mod p and returns a field element. */
  export interface CircomlibPoseidon {
    (inputs: bigint[]): Uint8Array;
    F: { toObject(element: Uint8Array): bigint };
  }
  export function buildPoseidon(): Promise<CircomlibPoseidon>;
}
