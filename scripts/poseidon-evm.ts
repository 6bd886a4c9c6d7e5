// Generates CloakPoseidonHasher, the EVM Poseidon(2) the Merkle trees hash with, as raw bytecode, from circomlib's
// optimised constants (circomlibjs' poseidon_constants_opt.json, t = 3: C, S, M, P), never from hand-typed numbers.
// Output: tasks/lib/poseidon-hasher-code.ts and contracts/hasher/CloakPoseidonHasherCode.sol (the creation code).
//
//   node --import tsx scripts/poseidon-evm.ts          write both files
//   node --import tsx scripts/poseidon-evm.ts --check  exit 1 unless the committed files are what this produces
//
// The round structure is written once (`permutation`) against an `Arithmetic` interface with two
// implementations: one builds expression trees, tracking an upper bound for every value and choosing a reducing
// operation only where the next addition could pass 2^256, then compiled to stack code; the other evaluates the
// same steps on bigints, asserting each value stays within its tracked bound, and is compared with circomlibjs
// before anything is written. The bound reasoning is
// in docs/evm.md, "Generated Poseidon".
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPoseidon } from "circomlibjs";
import { id } from "ethers";

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

/** Values carried scaled: the true state element i is `scales[i] * values[i]` (mod p). */
interface Scaled<V> {
  values: V[];
  scales: bigint[];
}

/**
 * Poseidon(a, b) with circomlib's optimised schedule (circomlibjs' poseidon_opt.js): the first half of the full
 * rounds, the partial rounds as `partialPlan` rewrites them (see there), then the second half. Full rounds carry
 * every state element scaled by a known factor (`scaledMix`), which saves a multiplication per mixed output.
 */
function firstHalf<V>(ops: Arithmetic<V>, k: OptimisedConstants, left: V, right: V): Scaled<V> {
  const { C, M } = k;
  let state: Scaled<V> = {
    values: ops.store([ops.constant(0n), left, right].map((value, i) => ops.add(value, ops.constant(C[i]!)))),
    scales: [1n, 1n, 1n],
  };
  for (let r = 0; r < FULL_ROUNDS / 2; r++) {
    state = scaledMix(ops, sbox(ops, state, (i) => C[(r + 1) * WIDTH + i]!), r === FULL_ROUNDS / 2 - 1 ? k.P : M);
  }
  return state;
}

function secondHalf<V>(ops: Arithmetic<V>, k: OptimisedConstants, input: Scaled<V>): V {
  const { C, M } = k;
  let state = input;
  const start = (FULL_ROUNDS / 2 + 1) * WIDTH + PARTIAL_ROUNDS;
  for (let r = 0; r < FULL_ROUNDS / 2 - 1; r++) {
    state = scaledMix(ops, sbox(ops, state, (i) => C[start + r * WIDTH + i]!), M);
  }
  // The output is exact: every coefficient of its row, scale included, is multiplied in.
  const last = sbox(ops, state, () => 0n);
  const out = last.values.reduce<V>(
    (acc, value, j) => ops.add(acc, ops.mul(ops.constant((M[j]![0]! * last.scales[j]!) % P), value)),
    ops.constant(0n),
  );
  return ops.reduce(out);
}

/** x^5 + c for each element: with x = s y, that is s^5 (y^5 + c / s^5), so the result carries the scale s^5. */
function sbox<V>(ops: Arithmetic<V>, state: Scaled<V>, constant: (i: number) => bigint): Scaled<V> {
  const scales = state.scales.map((scale) => pow(scale, 5));
  const values = state.values.map((value, i) =>
    ops.add(ops.pow5(value), ops.constant((constant(i) * inverse(scales[i]!)) % P)),
  );
  return { values: ops.store(values), scales };
}

/**
 * The MDS mix of scaled inputs into scaled outputs: output i is sum_j M[j][i] s_j v_j; carried as that over
 * lambda_i = M[i][i] s_i, its own input enters with coefficient 1 (two multiplications instead of three).
 */
function scaledMix<V>(ops: Arithmetic<V>, input: Scaled<V>, matrix: bigint[][]): Scaled<V> {
  const scales = input.values.map((_, i) => (matrix[i]![i]! * input.scales[i]!) % P);
  if (scales.some((scale) => scale === 0n)) throw new Error("a zero scale in a full round");
  const values = scales.map((scale, i) => {
    const over = inverse(scale);
    return input.values.reduce<V>(
      (acc, value, j) => ops.add(acc, ops.mul(ops.constant((matrix[j]![i]! * input.scales[j]! * over) % P), value)),
      ops.constant(0n),
    );
  });
  return { values: ops.store(values), scales };
}

/** One rewritten partial round's constants (see `partialPlan`), and whether each x update must reduce. */
export interface PartialRound {
  /** Added to w^5: circomlib's round constant over mu^5. */
  c: bigint;
  /** x_i += d[i - 1] * a. */
  d: [bigint, bigint];
  /** w' = a + k[0] * x1' + k[1] * x2' (the updated x's). */
  k: [bigint, bigint];
  /** x_i's update is an ADDMOD: an ADD could pass 2^256 - 1 given x_i's bound. */
  reduce: [boolean, boolean];
}

/**
 * circomlib's partial round is  a = x0^5 + C,  x0' = S0 a + S1 x1 + S2 x2,  x1 += S3 a,  x2 += S4 a.  Written with
 * the updated x's (x1 = x1' - S3 a), x0' = E a + S1 x1' + S2 x2' with E = S0 - S1 S3 - S2 S4. Carrying x0 = mu w
 * for a known factor mu: a = mu^5 (w^5 + C / mu^5) = mu^5 a', and with mu' = E mu^5,
 * w' = a' + (S1 / mu') x1' + (S2 / mu') x2',  x1' = x1 + (S3 mu^5) a',  x2' = x2 + (S4 mu^5) a'. The S-box output
 * enters with coefficient 1 (7 multiplications a round instead of 8), and the updates come before w', so each x
 * is read once by its update and once by w' (the stack code in `emitPartialRounds` relies on that order).
 * `bounds` are the x's inclusive upper bounds entering the first round; `mu` restores x0 = mu w at the end.
 */
export function partialPlan(
  k: OptimisedConstants,
  bounds: [bigint, bigint],
  scales: bigint[],
): { rounds: PartialRound[]; mu: bigint; bounds: [bigint, bigint] } {
  const { C, S } = k;
  // x0 = mu w, and x_i = scales[i] y_i for the two others, whose scales stay: the y's updates and reads absorb them.
  let mu = scales[0]!;
  const [xScale1, xScale2] = [scales[1]!, scales[2]!];
  const bound: [bigint, bigint] = [...bounds];
  const rounds: PartialRound[] = [];
  for (let r = 0; r < PARTIAL_ROUNDS; r++) {
    const s = (j: number): bigint => S[(WIDTH * 2 - 1) * r + j]!;
    const mu5 = pow(mu, 5);
    const e = (((s(0) - s(1) * s(3) - s(2) * s(4)) % P) + P) % P;
    const nextMu = (e * mu5) % P;
    if (nextMu === 0n) throw new Error(`partial round ${r}: zero scale`);
    const nextMuInverse = inverse(nextMu);
    const reduce = bound.map((b) => b + (P - 1n) > WORD_MAX) as [boolean, boolean];
    for (const i of [0, 1]) bound[i] = reduce[i] ? P - 1n : bound[i]! + (P - 1n);
    rounds.push({
      c: (C[(FULL_ROUNDS / 2 + 1) * WIDTH + r]! * inverse(mu5)) % P,
      d: [(s(3) * mu5 * inverse(xScale1)) % P, (s(4) * mu5 * inverse(xScale2)) % P],
      k: [(s(1) * xScale1 * nextMuInverse) % P, (s(2) * xScale2 * nextMuInverse) % P],
      reduce,
    });
    mu = nextMu;
  }
  return { rounds, mu, bounds: bound };
}

/** The partial rounds of `partialPlan` on bigints, asserting every value within its bound and below 2^256. */
function evaluatePartial(k: OptimisedConstants, input: Scaled<Checked>): Scaled<Checked> {
  const [x0, x1, x2] = input.values as [Checked, Checked, Checked];
  const plan = partialPlan(k, [x1.bound, x2.bound], input.scales);
  const within = (value: bigint, bound: bigint): bigint => {
    if (value > bound || value > WORD_MAX) throw new Error("a value exceeded its tracked bound");
    return value;
  };
  let w = x0.value % P;
  const x = [x1.value, x2.value];
  const bound = [x1.bound, x2.bound];
  for (const round of plan.rounds) {
    const a = within(pow(w, 5) + round.c, 2n * P - 2n);
    for (const i of [0, 1]) {
      const product = (round.d[i]! * a) % P;
      if (round.reduce[i]) {
        x[i] = (x[i]! + product) % P;
        bound[i] = P - 1n;
      } else {
        bound[i] = bound[i]! + (P - 1n);
        x[i] = within(x[i]! + product, bound[i]!);
      }
    }
    w = within(a + ((round.k[0] * x[0]!) % P) + ((round.k[1] * x[1]!) % P), 4n * P - 4n);
  }
  return {
    values: [
      { value: w, bound: 4n * P - 4n },
      { value: x[0]!, bound: bound[0]! },
      { value: x[1]!, bound: bound[1]! },
    ],
    scales: [plan.mu, input.scales[1]!, input.scales[2]!],
  };
}

/** Concrete evaluation of the permutation, checking every value against the bound the emitter tracks. */
interface Checked {
  value: bigint;
  bound: bigint;
}
const checked: Arithmetic<Checked> = {
  constant: (value) => ({ value, bound: value }),
  // As the emitter does, a multiplication by the constant 1 is no operation: the other value keeps its bound.
  mul: (a, b) =>
    a.bound === 1n ? b : b.bound === 1n ? a : { value: (a.value * b.value) % P, bound: a.bound === 0n || b.bound === 0n ? 0n : P - 1n },
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
  return secondHalf(guarded, k, evaluatePartial(k, firstHalf(guarded, k, input(a), input(b)))).value;
}

// --- Raw EVM bytecode ---------------------------------------------------------------------------------------
// The same schedule compiled straight to EVM bytecode: solc keeps each inline-assembly variable in a fixed stack
// slot and pays a SWAP and a POP for every assignment, which measured ~14.3k gas per hash; here every value lives
// on the stack only from its definition to its last read (docs/evm.md, "Generated Poseidon").

/** An expression tree over stored values (`ref`), constants, and the modulus kept on the stack. */
type Node =
  | { op: "const"; value: bigint }
  | { op: "ref"; name: string; bound: bigint }
  | { op: "mulmod" | "addmod" | "add" | "mod" | "pow5"; args: Node[]; bound: bigint };
interface Statement {
  name: string;
  node: Node;
}

const nodeBound = (n: Node): bigint => (n.op === "const" ? n.value : n.bound);

function treeEmitter(): { ops: Arithmetic<Node>; statements: Statement[] } {
  const statements: Statement[] = [];
  let next = 0;
  const ops: Arithmetic<Node> = {
    constant: (value) => ({ op: "const", value: value % P }),
    mul: (a, b) => {
      if (a.op === "const" && b.op === "const") return ops.constant(a.value * b.value);
      if ((a.op === "const" && a.value === 0n) || (b.op === "const" && b.value === 0n)) return ops.constant(0n);
      if (a.op === "const" && a.value === 1n) return b;
      if (b.op === "const" && b.value === 1n) return a;
      return { op: "mulmod", args: [a, b], bound: P - 1n };
    },
    add: (a, b) => {
      if (a.op === "const" && b.op === "const") return ops.constant(a.value + b.value);
      if (a.op === "const" && a.value === 0n) return b;
      if (b.op === "const" && b.value === 0n) return a;
      const sum = nodeBound(a) + nodeBound(b);
      if (sum <= WORD_MAX) return { op: "add", args: [a, b], bound: sum };
      return { op: "addmod", args: [a, b], bound: P - 1n };
    },
    pow5: (a) => {
      if (a.op === "const") return ops.constant(pow(a.value, 5));
      return { op: "pow5", args: [a], bound: P - 1n };
    },
    store: (values) =>
      values.map((v) => {
        if (v.op === "const" || v.op === "ref") return v;
        const name = `v${next++}`;
        statements.push({ name, node: v });
        return { op: "ref", name, bound: v.bound };
      }),
    reduce: (a) => (nodeBound(a) < P ? a : { op: "mod", args: [a], bound: P - 1n }),
  };
  return { ops, statements };
}

const OP = {
  STOP: 0x00, ADD: 0x01, MOD: 0x06, ADDMOD: 0x08, MULMOD: 0x09, LT: 0x10, EQ: 0x14, ISZERO: 0x15, AND: 0x16,
  SHL: 0x1b, SHR: 0x1c, CALLVALUE: 0x34, CALLDATALOAD: 0x35, CALLDATASIZE: 0x36, CODECOPY: 0x39, POP: 0x50,
  MSTORE: 0x52, JUMP: 0x56, JUMPI: 0x57, JUMPDEST: 0x5b, PUSH0: 0x5f, RETURN: 0xf3, REVERT: 0xfd,
} as const;

/** A tiny assembler: opcodes, pushes and two-byte label references, resolved in `assemble`. */
class Assembler {
  readonly parts: ({ byte: number } | { label: string } | { define: string })[] = [];
  op(...codes: number[]): this {
    for (const byte of codes) this.parts.push({ byte });
    return this;
  }
  push(value: bigint): this {
    if (value === 0n) return this.op(OP.PUSH0);
    const bytes = Math.ceil(value.toString(16).length / 2);
    const hex = value.toString(16).padStart(bytes * 2, "0");
    this.op(0x5f + bytes);
    for (let i = 0; i < bytes; i++) this.op(parseInt(hex.slice(2 * i, 2 * i + 2), 16));
    return this;
  }
  dup(depth: number): this {
    if (depth < 1 || depth > 16) throw new Error(`DUP${depth} out of range`);
    return this.op(0x7f + depth);
  }
  swap(depth: number): this {
    if (depth < 1 || depth > 16) throw new Error(`SWAP${depth} out of range`);
    return this.op(0x8f + depth);
  }
  pushLabel(label: string): this {
    this.parts.push({ byte: 0x61 }, { label });
    return this;
  }
  label(name: string): this {
    this.parts.push({ define: name }, { byte: OP.JUMPDEST });
    return this;
  }
  assemble(): Uint8Array {
    const at = new Map<string, number>();
    let offset = 0;
    for (const part of this.parts) {
      if ("define" in part) at.set(part.define, offset);
      else offset += "label" in part ? 2 : 1;
    }
    const out: number[] = [];
    for (const part of this.parts) {
      if ("byte" in part) out.push(part.byte);
      else if ("label" in part) {
        const target = at.get(part.label);
        if (target === undefined) throw new Error(`undefined label ${part.label}`);
        out.push(target >> 8, target & 0xff);
      }
    }
    return Uint8Array.from(out);
  }
}

/**
 * Emits the permutation as a subroutine: entered with [return, b, a] (a on top), it leaves [Poseidon(a, b)] and
 * jumps back. The stack holds the return address, the modulus, and each stored value from its definition to its
 * last read; a value is removed (SWAP, POP) right after the statement that last reads it.
 */
function emitPermutation(asm: Assembler, k: OptimisedConstants): void {
  const { ops, statements } = treeEmitter();
  const input = (name: string): Node => ({ op: "ref", name, bound: WORD_MAX });
  // Inputs are reduced first, as circomlibjs reduces them.
  const [a, b] = ops.store([ops.reduce(input("a")), ops.reduce(input("b"))]) as [Node, Node];
  const reduced = (n: Node): Node => (n.op === "ref" ? { op: "ref", name: n.name, bound: P - 1n } : n);
  const first = firstHalf(ops, k, reduced(a), reduced(b));
  const entering = first.values as (Node & { op: "ref" })[];
  // The partial rounds are hand-scheduled stack code (`emitPartialRounds`) between the two halves' statements.
  const partialAt = statements.length;
  const plan = partialPlan(k, [entering[1]!.bound, entering[2]!.bound], first.scales);
  const leaving: (Node & { op: "ref" })[] = [
    { op: "ref", name: "partial0", bound: 4n * P - 4n },
    { op: "ref", name: "partial1", bound: plan.bounds[0] },
    { op: "ref", name: "partial2", bound: plan.bounds[1] },
  ];
  const out = ops.store([secondHalf(ops, k, { values: leaving, scales: [plan.mu, first.scales[1]!, first.scales[2]!] })]);
  const result = (out[0] as Node & { op: "ref" }).name;

  const lastRead = new Map<string, number>();
  const reads = (n: Node, into: string[]): string[] => {
    if (n.op === "ref") into.push(n.name);
    else if (n.op !== "const") for (const arg of n.args) reads(arg, into);
    return into;
  };
  statements.forEach((s, i) => {
    for (const name of reads(s.node, [])) lastRead.set(name, i);
  });

  // The stack, bottom first, as names; "#" marks the modulus, "ret" the return address.
  const stack: string[] = ["ret", "b", "a", "#"];
  asm.push(P);
  const depthOf = (name: string): number => {
    const index = stack.lastIndexOf(name);
    if (index < 0) throw new Error(`${name} is not on the stack`);
    return stack.length - index;
  };
  // Pushes a node's value; `pending` counts the temporaries above the named values.
  const swapWithTop = (depth: number): void => {
    asm.swap(depth - 1);
    const index = stack.length - depth;
    [stack[index], stack[stack.length - 1]] = [stack[stack.length - 1]!, stack[index]!];
  };
  // A value read for the last time by statement `current`, once in it, need not be copied and dropped later:
  // when it is the statement's first push (only named values above it), it is swapped to the top and consumed.
  let current = 0;
  let consumed = new Set<string>();
  const consumable = (n: Node): boolean =>
    n.op === "ref" &&
    n.name !== result &&
    lastRead.get(n.name) === current &&
    reads(statements[current]!.node, []).filter((name) => name === n.name).length === 1;
  /** Whether evaluating `n` first lets it consume a value (see `evaluate`). */
  const leads = (n: Node): boolean =>
    consumable(n) || (n.op !== "const" && n.op !== "ref" && (n.op === "add" ? n.args.some(leads) : n.args.some(consumable)));
  const consume = (n: Node & { op: "ref" }): void => {
    const depth = depthOf(n.name);
    if (depth > 1) swapWithTop(depth);
    stack[stack.length - 1] = "~";
    consumed.add(n.name);
  };
  // Pushes a node's value. `first`: nothing has been pushed for this statement yet.
  const evaluate = (n: Node, first: boolean): void => {
    if (n.op === "const") {
      asm.push(n.value);
      stack.push("~");
    } else if (n.op === "ref") {
      if (first && consumable(n)) consume(n);
      else {
        asm.dup(depthOf(n.name));
        stack.push("~");
      }
    } else if (n.op === "pow5") {
      // x^5 = x * (x^2)^2 with x and its square kept on the stack, never stored. Top first: [x, p] ->
      // [x^2, p, x, p] (both moduli copied from the one under x) -> [x^4, x, p] -> [x^5].
      const [x] = n.args as [Node];
      if (first && consumable(x)) consume(x as Node & { op: "ref" });
      else evaluate(x, first);
      asm.dup(depthOf("#")).swap(1);
      stack.push("~");
      asm.dup(2).dup(3).dup(3).dup(1).op(OP.MULMOD).dup(1).op(OP.MULMOD).op(OP.MULMOD);
      stack.length -= 1;
    } else if (n.op === "add") {
      // Addition commutes: the operand that can consume a value goes first.
      const [x, y] = first && leads(n.args[0]!) ? [n.args[0]!, n.args[1]!] : [n.args[1]!, n.args[0]!];
      evaluate(x, first);
      evaluate(y, false);
      asm.op(OP.ADD);
      stack.pop();
    } else {
      // MULMOD/ADDMOD/MOD take the modulus deepest, then the operands right to left (the first two commute).
      const code = n.op === "mulmod" ? OP.MULMOD : n.op === "addmod" ? OP.ADDMOD : OP.MOD;
      const taken = first ? n.args.findIndex(consumable) : -1;
      if (taken >= 0) {
        // [.., v] -> [.., v, p] -> [.., p, v]: the consumed operand sits right above the modulus.
        consume(n.args[taken] as Node & { op: "ref" });
        asm.dup(depthOf("#"));
        stack.push("~");
        asm.swap(1);
        for (const [i, arg] of n.args.entries()) if (i !== taken) evaluate(arg, false);
      } else {
        asm.dup(depthOf("#"));
        stack.push("~");
        for (let i = n.args.length - 1; i >= 0; i--) evaluate(n.args[i]!, false);
      }
      asm.op(code);
      stack.length -= n.args.length;
    }
  };
  const drop = (name: string): void => {
    const depth = depthOf(name);
    if (depth > 1) swapWithTop(depth);
    asm.op(OP.POP);
    stack.pop();
  };
  /**
   * The partial rounds on a fixed layout, top first [w, p, X, Y]: a spare copy of the modulus under w feeds the
   * S-box's last MULMOD, and the x's trade places every round, so each is on top when it is updated and no value
   * is ever popped (28 cheap operations and 7 MULMODs a round; the generic allocator above needed 32).
   */
  const emitPartialRounds = (): void => {
    const names = entering.map((n) => n.name);
    // Top first [w, x1, x2], filling depth 3, then 2, then 1 (a swap through the top disturbs no filled depth).
    for (let depth = 3; depth >= 1; depth--) {
      const name = names[depth - 1]!;
      if (depthOf(name) === depth) continue;
      if (depthOf(name) > 1) swapWithTop(depthOf(name));
      if (depth > 1) swapWithTop(depth);
    }
    if (stack.lastIndexOf("#") > stack.length - 4) throw new Error(`partial rounds: modulus among the inputs (${stack.join()})`);
    // [w, X, Y] -> [w, p, X, Y]
    asm.dup(depthOf("#")).swap(1);
    stack.splice(stack.length - 1, 0, "~");
    const h = depthOf("#"); // the modulus's depth with the four layout slots on top
    let roles: [number, number] = [0, 1]; // which x (0: x1, 1: x2) sits at depth 3 and which at depth 4
    for (const round of plan.rounds) {
      // S-box: [w, p] -> [w^5], with x^2 and x^4 kept on the stack.
      asm.dup(2).dup(3).dup(3).dup(1).op(OP.MULMOD).dup(1).op(OP.MULMOD).op(OP.MULMOD);
      // a = w^5 + c, then a spare modulus under it: [a, p, X, Y].
      asm.push(round.c).op(OP.ADD).dup(h - 1).swap(1);
      // Each x comes to the top for its update, a staying at depth 3: [X, p, a, Y] -> [X', p, a, Y].
      const update = (role: number): void => {
        if (round.reduce[role]) asm.dup(h).swap(1).dup(h + 1).dup(5).push(round.d[role]!).op(OP.MULMOD, OP.ADDMOD);
        else asm.dup(h).dup(4).push(round.d[role]!).op(OP.MULMOD, OP.ADD);
      };
      asm.swap(2);
      update(roles[0]);
      asm.swap(3); // [Y, p, a, X']
      update(roles[1]);
      asm.swap(2); // [a, p, Y', X']
      // w' = a + k * X' + k * Y': [p, a, p, Y', X'] reads X' at depth 5, then [p, s, p, Y', X'] reads Y' at depth 4.
      asm.dup(h).dup(5).push(round.k[roles[0]]!).op(OP.MULMOD, OP.ADD);
      asm.dup(h).dup(4).push(round.k[roles[1]]!).op(OP.MULMOD, OP.ADD);
      roles = [roles[1], roles[0]];
    }
    // [w, p, X, Y] -> [w, X, Y]: w leaves scaled by mu, which the next S-box's constants absorb.
    asm.swap(1).op(OP.POP);
    stack.length -= 4;
    stack.push(leaving[1 + roles[1]]!.name, leaving[1 + roles[0]]!.name, leaving[0]!.name);
  };
  statements.forEach((s, i) => {
    if (i === partialAt) emitPartialRounds();
    current = i;
    consumed = new Set();
    evaluate(s.node, true);
    stack[stack.length - 1] = s.name;
    for (const name of new Set(reads(s.node, []))) {
      if (lastRead.get(name) === i && name !== result && !consumed.has(name)) drop(name);
    }
  });
  // Leave [result] under the return address's jump.
  drop("#");
  if (stack.join() !== `ret,${result}`) throw new Error(`unexpected stack at exit: ${stack.join()}`);
  asm.swap(1).op(OP.JUMP);
}

/** The hasher's runtime code: `hash(uint256[2])`, `hashPath(uint256,uint256,uint256,uint256[])`, nothing else. */
export function generateRuntime(k: OptimisedConstants, selectors: { hash: number; hashPath: number }): Uint8Array {
  const asm = new Assembler();
  // Non-payable, and unknown selectors revert with no data.
  asm.op(OP.CALLVALUE).pushLabel("revert").op(OP.JUMPI);
  asm.push(0n).op(OP.CALLDATALOAD).push(0xe0n).op(OP.SHR);
  asm.op(0x80).push(BigInt(selectors.hash)).op(OP.EQ).pushLabel("hash").op(OP.JUMPI);
  asm.push(BigInt(selectors.hashPath)).op(OP.EQ).pushLabel("path").op(OP.JUMPI);
  asm.label("revert").push(0n).push(0n).op(OP.REVERT);

  // hash(uint256[2] input): exactly a selector and two words.
  asm.label("hash").op(OP.POP);
  asm.push(0x44n).op(OP.CALLDATASIZE).op(OP.EQ).op(OP.ISZERO).pushLabel("revert").op(OP.JUMPI);
  asm.pushLabel("hashed").push(0x24n).op(OP.CALLDATALOAD).push(0x04n).op(OP.CALLDATALOAD).pushLabel("poseidon").op(OP.JUMP);
  asm.label("hashed").push(0n).op(OP.MSTORE).push(0x20n).push(0n).op(OP.RETURN);

  // hashPath(left, right, index, siblings): the array at the standard offset 0x80, its length n below 2^32, and
  // the calldata exactly as long as that encoding. Returns uint256[n + 1]: offset, length, nodes.
  asm.label("path");
  asm.push(0x64n).op(OP.CALLDATALOAD).push(0x80n).op(OP.EQ).op(OP.ISZERO).pushLabel("revert").op(OP.JUMPI);
  asm.push(0x84n).op(OP.CALLDATALOAD); // [n]
  asm.op(0x80).push(32n).op(OP.SHR).pushLabel("revert").op(OP.JUMPI);
  asm.op(0x80).push(5n).op(OP.SHL).push(0xa4n).op(OP.ADD).op(OP.CALLDATASIZE).op(OP.EQ).op(OP.ISZERO).pushLabel("revert").op(OP.JUMPI);
  asm.push(0x20n).push(0n).op(OP.MSTORE);
  asm.op(0x80).push(1n).op(OP.ADD).push(0x20n).op(OP.MSTORE);
  asm.pushLabel("first").push(0x24n).op(OP.CALLDATALOAD).push(0x04n).op(OP.CALLDATALOAD).pushLabel("poseidon").op(OP.JUMP);
  asm.label("first").op(0x80).push(0x40n).op(OP.MSTORE).push(0n); // [n, node, i]
  asm.label("loop");
  asm.op(0x82, 0x81).op(OP.LT).op(OP.ISZERO).pushLabel("done").op(OP.JUMPI); // i < n
  asm.op(0x80).push(5n).op(OP.SHL).push(0xa4n).op(OP.ADD).op(OP.CALLDATALOAD); // [n, node, i, sibling]
  asm.push(0x44n).op(OP.CALLDATALOAD).op(0x82).op(OP.SHR).push(1n).op(OP.AND).pushLabel("right").op(OP.JUMPI);
  // The node is a left child: Poseidon(node, sibling).
  asm.pushLabel("next").swap(1).dup(4).pushLabel("poseidon").op(OP.JUMP);
  // A right child: Poseidon(sibling, node).
  asm.label("right").pushLabel("next").swap(1).dup(4).swap(1).pushLabel("poseidon").op(OP.JUMP);
  asm.label("next").swap(2).op(OP.POP); // [n, hash, i]
  asm.dup(2).dup(2).push(5n).op(OP.SHL).push(0x60n).op(OP.ADD).op(OP.MSTORE);
  asm.push(1n).op(OP.ADD).pushLabel("loop").op(OP.JUMP);
  asm.label("done").op(OP.POP, OP.POP).push(5n).op(OP.SHL).push(0x60n).op(OP.ADD).push(0n).op(OP.RETURN);

  asm.label("poseidon");
  emitPermutation(asm, k);
  return asm.assemble();
}

/** Creation code: copies the runtime that follows it into memory and returns it. */
export function creationCode(runtime: Uint8Array): Uint8Array {
  const length = BigInt(runtime.length);
  // PUSH2 len, PUSH1 offset, PUSH0, CODECOPY, PUSH2 len, PUSH0, RETURN: 12 bytes.
  const header = [0x61, Number(length >> 8n), Number(length & 0xffn), 0x60, 12, 0x5f, OP.CODECOPY, 0x61, Number(length >> 8n), Number(length & 0xffn), 0x5f, OP.RETURN];
  return Uint8Array.from([...header, ...runtime]);
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the generated creation code goes: a TypeScript module for deployments, a Solidity constant for tests. */
export const OUTPUTS = {
  typescript: join(ROOT, "tasks", "lib", "poseidon-hasher-code.ts"),
  solidity: join(ROOT, "contracts", "hasher", "CloakPoseidonHasherCode.sol"),
} as const;

const HEADER = "GENERATED by scripts/poseidon-evm.ts from circomlibjs' optimised Poseidon constants (t = 3); do not edit.";

/** The generated files' contents: the hasher's creation code, as TypeScript and as Solidity. */
export function generateFiles(k: OptimisedConstants): { typescript: string; solidity: string; runtimeBytes: number } {
  const selector = (signature: string): number => parseInt(id(signature).slice(2, 10), 16);
  const runtime = generateRuntime(k, {
    hash: selector("hash(uint256[2])"),
    hashPath: selector("hashPath(uint256,uint256,uint256,uint256[])"),
  });
  const creation = Buffer.from(creationCode(runtime)).toString("hex");
  const typescript = `// ${HEADER}
// Run \`node --import tsx scripts/poseidon-evm.ts\` after changing the generator; the contracts' tests run it with --check.

/** Creation code of CloakPoseidonHasher: \`hash(uint256[2])\` and \`hashPath(uint256,uint256,uint256,uint256[])\`
 *  (IPoseidonPathHasher), ${runtime.length} bytes of runtime code. */
export const CLOAK_POSEIDON_HASHER_CREATION_CODE =
  "0x${creation}";
`;
  const solidity = `// SPDX-License-Identifier: MIT
// ${HEADER}
pragma solidity ^0.8.28;

/// @title CloakPoseidonHasherCode
/// @notice The creation code of CloakPoseidonHasher, the trees' IPoseidonPathHasher, for Solidity tests that deploy it
///         with \`create\`; deployments use the same bytes from tasks/lib/poseidon-hasher-code.ts.
library CloakPoseidonHasherCode {
    /// @dev ${runtime.length} bytes of runtime code behind a 12-byte constructor that returns it.
    bytes internal constant CREATION_CODE =
        hex"${creation}";
}
`;
  return { typescript, solidity, runtimeBytes: runtime.length };
}

async function main(): Promise<void> {
  const k = loadConstants();
  const reference = await buildPoseidon();
  const samples: [bigint, bigint][] = [[0n, 0n], [1n, 2n], [P - 1n, P - 1n], [P, WORD_MAX], [WORD_MAX, 12345n]];
  for (let i = 0n; i < 200n; i++) samples.push([(i * 0x9e3779b97f4a7c15n ** 4n) & WORD_MAX, (i * 0xdeadbeefn ** 7n) & WORD_MAX]);
  for (const [a, b] of samples) {
    const expected = reference.F.toObject(reference([a, b]));
    if (evaluate(k, a, b) !== expected) throw new Error(`schedule disagrees with circomlibjs at (${a}, ${b})`);
  }
  const files = generateFiles(k);
  if (process.argv.includes("--check")) {
    for (const kind of ["typescript", "solidity"] as const) {
      if (readFileSync(OUTPUTS[kind], "utf8") !== files[kind]) {
        console.error(`${OUTPUTS[kind]} is not what scripts/poseidon-evm.ts generates; rerun it`);
        process.exit(1);
      }
    }
    console.log("the committed hasher code matches the generator");
    return;
  }
  for (const kind of ["typescript", "solidity"] as const) writeFileSync(OUTPUTS[kind], files[kind]);
  console.log(`wrote ${OUTPUTS.typescript} and ${OUTPUTS.solidity} (${files.runtimeBytes} bytes of runtime code)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
