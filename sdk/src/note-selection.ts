import { CloakError, ErrorCode } from "./errors.js";
import { N_INPUTS } from "./transaction.js";

/** What note selection reads of a note, on any chain: the tree holding it and its amount. */
export interface SelectableNote {
  /** The pool's tree number the note's leaf is in. */
  tree: number;
  amount: bigint;
}

/**
 * The notes to spend for `needed`: one or two notes of a single tree (a proof shows membership against one
 * root), one note when one suffices. Largest notes first, so a fitting pair is found whenever one tree
 * holds one; among trees, the one whose notes cover `needed` with the largest first note. The same rule on
 * every chain, so a wallet spends the same notes wherever its pool lives.
 */
export function selectNotes<N extends SelectableNote>(notes: readonly N[], needed: bigint): N[] {
  const byTree = new Map<number, N[]>();
  for (const note of notes) byTree.set(note.tree, [...(byTree.get(note.tree) ?? []), note]);
  let best: N[] | undefined;
  for (const treeNotes of byTree.values()) {
    const chosen = [...treeNotes].sort((a, b) => (a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : 0)).slice(0, N_INPUTS);
    if (totalAmount(chosen) < needed) continue;
    const candidate = chosen[0]!.amount >= needed ? chosen.slice(0, 1) : chosen;
    if (!best || candidate.length < best.length || (candidate.length === best.length && candidate[0]!.amount > best[0]!.amount)) best = candidate;
  }
  if (best) return best;
  throw new CloakError(
    ErrorCode.INSUFFICIENT_FUNDS,
    `amount: needs ${needed}, but no tree holds ${N_INPUTS} notes of the owner that cover it (balance ${totalAmount(notes)} in ${notes.length} notes over ${byTree.size} trees; merge notes first)`,
  );
}

/** The sum of the notes' amounts. */
export function totalAmount(notes: readonly { amount: bigint }[]): bigint {
  return notes.reduce((sum, note) => sum + note.amount, 0n);
}
