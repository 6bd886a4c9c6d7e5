// Generates contracts/hasher/CloakPoseidon2.sol, the EVM Poseidon(2) the Merkle trees hash with, from circomlib's
// optimised constants (circomlibjs' poseidon_constants_opt.json, t = 3: C, S, M, P), never from hand-typed numbers.
//
//   node --import tsx scripts/poseidon-evm.ts          write the Solidity file
//   node --import tsx scripts/poseidon-evm.ts --check  exit 1 unless the committed file is what this produces
//
// The round structure is written once (`permutation`) against an `Arithmetic` interface with two
// implementations: one emits Yul, tracking an upper bound for every value and emitting a reduction only where
// the next addition could pass 2^256; the other evaluates the same steps on bigints, asserting each value stays
// within its tracked bound, and is compared with circomlibjs before anything is written. The bound reasoning is
// in docs/evm.md, "Generated Poseidon".
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** BN254 scalar field modulus. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const P = FIELD_MODULUS;
const WORD_MAX = (1n << 256n) - 1n;
const WIDTH = 3;
const FULL_ROUNDS = 8;
const PARTIAL_ROUNDS = 57;

interface OptimisedConstants {
  C: bigint[];
  S: bigint[];
  M: bigint[][];
  P: bigint[][];
}

/** circomlib's optimised Poseidon constants for t = 3, read from the installed circomlibjs package. */
export function loadConstants(): OptimisedConstants {
  const require = createRequire(import.meta.url);
  // The package exports only its entry points (build/main.cjs, main.js), so the data file is found beside them.
  const packageDir = dirname(dirname(require.resolve("circomlibjs")));
  const raw = JSON.parse(readFileSync(join(packageDir, "src", "poseidon_constants_opt.json"), "utf8")) as {
    C: string[][];
    S: string[][];
    M: string[][][];
    P: string[][][];
  };
  const index = WIDTH - 2;
  const big = (s: string): bigint => BigInt(s) % P;
  return {
    C: raw.C[index]!.map(big),
    S: raw.S[index]!.map(big),
    M: raw.M[index]!.map((row) => row.map(big)),
    P: raw.P[index]!.map((row) => row.map(big)),
  };
}

function inverse(a: bigint): bigint {
  // Fermat: a^(p-2), a != 0.
  let result = 1n;
  let base = a % P;
  let exponent = P - 2n;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % P;
    base = (base * base) % P;
    exponent >>= 1n;
  }
  return result;
}

function pow(a: bigint, e: number): bigint {
  let r = 1n;
  for (let i = 0; i < e; i++) r = (r * a) % P;
  return r;
}

/** The operations the permutation needs; `V` is a value: Yul code with a bound, or a concrete bigint. */
interface Arithmetic<V> {
  constant(value: bigint): V;
  /** a * b mod p. */
  mul(a: V, b: V): V;
  /** a + b, reduced only when the sum's bound could pass 2^256 - 1. */
  add(a: V, b: V): V;
  /** a^5 mod p. */
  pow5(a: V): V;
  /** Keeps the values in named variables so later statements can read them (one statement each). */
  store(values: V[]): V[];
  /** The value fully reduced, below p. */
  reduce(a: V): V;
}

/**
 * Poseidon(a, b) with circomlib's optimised schedule (circomlibjs' poseidon_opt.js), except that the partial
 * rounds carry state[0] scaled by a known factor `mu`, chosen so the S-box output enters each round's new
 * state[0] with coefficient 1; the factors fold into the constants.
 */
function permutation<V>(ops: Arithmetic<V>, k: OptimisedConstants, left: V, right: V): V {
  const { C, S, M } = k;
  const c = (i: number): V => ops.constant(C[i]!);
  const mix = (state: V[], matrix: bigint[][], outputs: number): V[] =>
    Array.from({ length: outputs }, (_, i) =>
      state.reduce<V>((acc, value, j) => ops.add(acc, ops.mul(ops.constant(matrix[j]![i]!), value)), ops.constant(0n)),
    );

  let state: V[] = [ops.constant(0n), left, right].map((value, i) => ops.add(value, c(i)));
  state = ops.store(state);
  for (let r = 0; r < FULL_ROUNDS / 2; r++) {
    const sboxed = ops.store(state.map((value, i) => ops.add(ops.pow5(value), c((r + 1) * WIDTH + i))));
    state = ops.store(mix(sboxed, r === FULL_ROUNDS / 2 - 1 ? k.P : M, WIDTH));
  }

  // Partial rounds. With x0 = mu * w:  a = x0^5 + c = mu^5 * (w^5 + c / mu^5) = mu^5 * a',
  // new x0 = S0 a + S1 x1 + S2 x2 = mu' * (a' + (S1 / mu') x1 + (S2 / mu') x2) with mu' = S0 mu^5,
  // x1 += S3 mu^5 a',  x2 += S4 mu^5 a'.
  let mu = 1n;
  let [w, x1, x2] = state as [V, V, V];
  for (let r = 0; r < PARTIAL_ROUNDS; r++) {
    const s = (j: number): bigint => S[(WIDTH * 2 - 1) * r + j]!;
    const mu5 = pow(mu, 5);
    const [a] = ops.store([ops.add(ops.pow5(w), ops.constant((C[(FULL_ROUNDS / 2 + 1) * WIDTH + r]! * inverse(mu5)) % P))]) as [V];
    const nextMu = (s(0) * mu5) % P;
    if (nextMu === 0n) throw new Error(`partial round ${r}: zero scale`);
    const nextMuInverse = inverse(nextMu);
    const nextW = ops.add(
      ops.add(a, ops.mul(ops.constant((s(1) * nextMuInverse) % P), x1)),
      ops.mul(ops.constant((s(2) * nextMuInverse) % P), x2),
    );
    const nextX1 = ops.add(x1, ops.mul(ops.constant((s(3) * mu5) % P), a));
    const nextX2 = ops.add(x2, ops.mul(ops.constant((s(4) * mu5) % P), a));
    [w, x1, x2] = ops.store([nextW, nextX1, nextX2]) as [V, V, V];
    mu = nextMu;
  }
  state = ops.store([ops.mul(ops.constant(mu), w), x1, x2]);

  const secondHalf = (FULL_ROUNDS / 2 + 1) * WIDTH + PARTIAL_ROUNDS;
  for (let r = 0; r < FULL_ROUNDS / 2 - 1; r++) {
    const sboxed = ops.store(state.map((value, i) => ops.add(ops.pow5(value), c(secondHalf + r * WIDTH + i))));
    state = ops.store(mix(sboxed, M, WIDTH));
  }
  const [out] = mix(state.map((value) => ops.pow5(value)), M, 1) as [V];
  return ops.reduce(out);
}

/** Concrete evaluation of the permutation, checking every value against the bound the emitter tracks. */
interface Checked {
  value: bigint;
  bound: bigint;
}
const checked: Arithmetic<Checked> = {
  constant: (value) => ({ value, bound: value }),
  mul: (a, b) => ({ value: (a.value * b.value) % P, bound: a.bound === 0n || b.bound === 0n ? 0n : P - 1n }),
  add: (a, b) => {
    if (a.bound + b.bound <= WORD_MAX) return { value: a.value + b.value, bound: a.bound + b.bound };
    return { value: (a.value + b.value) % P, bound: P - 1n };
  },
  pow5: (a) => ({ value: pow(a.value % P, 5), bound: P - 1n }),
  store: (values) => values,
  reduce: (a) => ({ value: a.value % P, bound: P - 1n }),
};

/** Poseidon(a, b) computed by the generated schedule in JavaScript (inputs reduced mod p, as circomlibjs does). */
export function evaluate(k: OptimisedConstants, a: bigint, b: bigint): bigint {
  const check = (v: Checked): Checked => {
    if (v.value > v.bound || v.value > WORD_MAX) throw new Error("a value exceeded its tracked bound");
    return v;
  };
  const guarded: Arithmetic<Checked> = {
    constant: checked.constant,
    mul: (x, y) => check(checked.mul(x, y)),
    add: (x, y) => check(checked.add(check(x), check(y))),
    pow5: (x) => check(checked.pow5(x)),
    store: (vs) => vs.map(check),
    reduce: (x) => check(checked.reduce(x)),
  };
  const input = (x: bigint): Checked => ({ value: x % P, bound: P - 1n });
  return permutation(guarded, k, input(a), input(b)).value;
}

/** Yul emitter: a value is an expression over the state variables, with an upper bound, or a constant. */
type Yul = { kind: "const"; value: bigint } | { kind: "expr"; code: string; bound: bigint; cost: number };

function emitter(): { ops: Arithmetic<Yul>; lines: string[] } {
  const lines: string[] = [];
  const hex = (v: bigint): string => `0x${v.toString(16)}`;
  const code = (v: Yul): string => (v.kind === "const" ? hex(v.value) : v.code);
  const bound = (v: Yul): bigint => (v.kind === "const" ? v.value : v.bound);
  const expr = (c: string, b: bigint): Yul => ({ kind: "expr", code: c, bound: b, cost: 0 });
  // Each stored value gets the next free variable name, so no statement overwrites a value a later one reads.
  let stored = 0;
  const ops: Arithmetic<Yul> = {
    constant: (value) => ({ kind: "const", value: value % P }),
    mul: (a, b) => {
      if (a.kind === "const" && b.kind === "const") return ops.constant(a.value * b.value);
      if ((a.kind === "const" && a.value === 0n) || (b.kind === "const" && b.value === 0n)) return ops.constant(0n);
      if (a.kind === "const" && a.value === 1n) return b;
      if (b.kind === "const" && b.value === 1n) return a;
      return expr(`mulmod(${code(a)}, ${code(b)}, p)`, P - 1n);
    },
    add: (a, b) => {
      if (a.kind === "const" && b.kind === "const") return ops.constant(a.value + b.value);
      if (a.kind === "const" && a.value === 0n) return b;
      if (b.kind === "const" && b.value === 0n) return a;
      const sum = bound(a) + bound(b);
      if (sum <= WORD_MAX) return expr(`add(${code(a)}, ${code(b)})`, sum);
      return expr(`addmod(${code(a)}, ${code(b)}, p)`, P - 1n);
    },
    pow5: (a) => {
      if (a.kind === "const") return ops.constant(pow(a.value, 5));
      const [x] = ops.store([a]) as [Yul];
      // x^5 = x * (x^2)^2: the square goes in `t` so the two reads of x share it.
      // Stored at once: the next S-box overwrites \`t\`.
      lines.push(`t := mulmod(${code(x)}, ${code(x)}, p)`);
      return ops.store([expr(`mulmod(${code(x)}, mulmod(t, t, p), p)`, P - 1n)])[0]!;
    },
    store: (values) =>
      values.map((v) => {
        if (v.kind === "const" || /^v\d+$/.test(v.code)) return v;
        const name = `v${stored++}`;
        lines.push(`let ${name} := ${v.code}`);
        return expr(name, v.bound);
      }),
    reduce: (a) => (bound(a) < P ? a : expr(`mod(${code(a)}, p)`, P - 1n)),
  };
  return { ops, lines };
}

export function generateSolidity(k: OptimisedConstants): string {
  const { ops, lines } = emitter();
  const input = (name: string): Yul => ({ kind: "expr", code: name, bound: P - 1n, cost: 0 });
  const out = permutation(ops, k, input("a"), input("b"));
  const body = renameToSlots(lines);
  return `// SPDX-License-Identifier: MIT
// GENERATED by scripts/poseidon-evm.ts from circomlibjs' optimised Poseidon constants (t = 3). Do not edit:
// change the generator and run \`node --import tsx scripts/poseidon-evm.ts\`; the contracts' tests run it with --check.
pragma solidity ^0.8.28;

/// @title CloakPoseidon2
/// @notice Poseidon(a, b) over BN254 with circomlib's parameters (the circuits' \`Poseidon(2)\`), equal to
///         circomlibjs' \`poseidon([a, b])\` for every pair of words: inputs at or above the field modulus are
///         reduced first, as circomlibjs does.
/// @dev Straight-line code from circomlib's optimised schedule (sparse partial rounds), each partial round
///      rescaled so the S-box output enters with coefficient 1, additions left unreduced while the generator's
///      tracked bound stays below 2^256 (docs/evm.md, "Generated Poseidon").
library CloakPoseidon2 {
    /// @dev BN254 scalar field modulus.
    uint256 internal constant P = ${P};

    /// @notice Poseidon(a mod p, b mod p).
    /// @param a The left input.
    /// @param b The right input.
    /// @return h The hash, below p.
    function hash(uint256 a, uint256 b) internal pure returns (uint256 h) {
        assembly ("memory-safe") {
            // The modulus lives on the stack: a DUP costs what a PUSH32 does, in 1 byte instead of 33.
            let p := P
            a := mod(a, p)
            b := mod(b, p)
            let t := 0
${body.map((l) => `            ${l}`).join("\n")}
            h := ${code(out)}
        }
    }
}
`;
  function code(v: Yul): string {
    return v.kind === "const" ? `0x${v.value.toString(16)}` : renameExpr(v.code);
  }
  // Values are emitted in SSA form (v0, v1, ...); solc keeps every \`let\` on the stack until the block ends, so
  // they are folded onto a few reused variables: a value's variable is free once nothing later reads it.
  function renameToSlots(ssa: string[]): string[] {
    const lastRead = new Map<string, number>();
    ssa.forEach((line, i) => {
      const rhs = line.replace(/^let v\d+ := /, "");
      for (const m of rhs.matchAll(/\bv\d+\b/g)) lastRead.set(m[0], i);
    });
    const finalCode = code0(out);
    for (const m of finalCode.matchAll(/\bv\d+\b/g)) lastRead.set(m[0], ssa.length);
    const free: string[] = [];
    let slots = 0;
    const declared = new Set<string>();
    const result: string[] = [];
    ssa.forEach((line, i) => {
      const m = /^let (v\d+) := (.*)$/.exec(line);
      const rhs = (m ? m[2]! : line).replace(/\bv\d+\b/g, (v) => slotOf.get(v)!);
      // Release variables whose last read is this line before choosing the destination.
      for (const [v, last] of lastRead) if (last === i && slotOf.has(v)) { free.push(slotOf.get(v)!); lastRead.delete(v); }
      if (!m) {
        result.push(line.replace(/^(t := )(.*)$/, (_, lhs: string, r: string) => lhs + r.replace(/\bv\d+\b/g, (v) => slotOf.get(v)!)));
        return;
      }
      const slot = free.pop() ?? `s${slots++}`;
      slotOf.set(m[1]!, slot);
      result.push(declared.has(slot) ? `${slot} := ${rhs}` : `let ${slot} := ${rhs}`);
      declared.add(slot);
    });
    return result;
  }
  function code0(v: Yul): string {
    return v.kind === "const" ? "" : v.code;
  }
  function renameExpr(c: string): string {
    return c.replace(/\bv\d+\b/g, (v) => slotOf.get(v)!);
  }
}
const slotOf = new Map<string, string>();

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), "..", "contracts", "hasher", "CloakPoseidon2.sol");

async function main(): Promise<void> {
  const k = loadConstants();
  const { buildPoseidon } = (await import("circomlibjs")) as unknown as {
    buildPoseidon: () => Promise<((inputs: bigint[]) => Uint8Array) & { F: { toObject(x: Uint8Array): bigint } }>;
  };
  const reference = await buildPoseidon();
  const samples: [bigint, bigint][] = [[0n, 0n], [1n, 2n], [P - 1n, P - 1n], [P, WORD_MAX], [WORD_MAX, 12345n]];
  for (let i = 0n; i < 200n; i++) samples.push([(i * 0x9e3779b97f4a7c15n ** 4n) & WORD_MAX, (i * 0xdeadbeefn ** 7n) & WORD_MAX]);
  for (const [a, b] of samples) {
    const expected = reference.F.toObject(reference([a, b]));
    if (evaluate(k, a, b) !== expected) throw new Error(`schedule disagrees with circomlibjs at (${a}, ${b})`);
  }
  const source = generateSolidity(k);
  if (process.argv.includes("--check")) {
    if (readFileSync(OUTPUT, "utf8") !== source) {
      console.error(`${OUTPUT} is not what scripts/poseidon-evm.ts generates; rerun it`);
      process.exit(1);
    }
    console.log("CloakPoseidon2.sol matches the generator");
    return;
  }
  writeFileSync(OUTPUT, source);
  console.log(`wrote ${OUTPUT}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
