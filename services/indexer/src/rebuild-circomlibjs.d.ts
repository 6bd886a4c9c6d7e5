// circomlibjs ships no types; the rebuild only needs its Poseidon builder, whose internals it checks at run time.
declare module "circomlibjs" {
  export function buildPoseidon(): Promise<unknown>;
}
