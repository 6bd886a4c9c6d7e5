// The two ffjavascript exports the corpus generator uses (the package ships no types).
declare module "ffjavascript" {
  export class ChaCha {
    constructor(seed: number[]);
    nextU32(): number;
  }
  export function buildBn128(singleThread?: boolean): Promise<unknown>;
}
