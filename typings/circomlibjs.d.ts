// The part of circomlibjs (untyped JavaScript) that bench/poseidon-gas.ts uses: its generated Poseidon hasher.
declare module "circomlibjs" {
  export const poseidonContract: {
    /** Creation code of a contract computing Poseidon with `nInputs` inputs. */
    createCode(nInputs: number): string;
    /** Its ABI: `poseidon(bytes32[n])` and `poseidon(uint256[n])`. */
    generateABI(nInputs: number): object[];
  };
}
