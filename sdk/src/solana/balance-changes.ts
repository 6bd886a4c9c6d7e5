import type { PublicKey, TokenBalance, VersionedTransactionResponse } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";

/**
 * What a landed transaction moved, read from its meta's pre- and post-balances (getTransaction): a
 * wallet's or an operator's report of fees, payouts and deposits without reading accounts twice.
 */

function metaOf(response: VersionedTransactionResponse) {
  if (!response.meta) throw new CloakError(ErrorCode.INVALID_INSTRUCTION_INPUT, `transaction ${response.transaction.signatures[0]}: the response has no meta (ask getTransaction with a confirmed commitment)`);
  return response.meta;
}

/** How `account`'s lamports changed in the transaction; an account the transaction does not touch is refused. */
export function lamportsMoved(response: VersionedTransactionResponse, account: PublicKey): bigint {
  const meta = metaOf(response);
  const keys = response.transaction.message.getAccountKeys({ accountKeysFromLookups: meta.loadedAddresses ?? null });
  const all = keys.staticAccountKeys.concat(keys.accountKeysFromLookups?.writable ?? [], keys.accountKeysFromLookups?.readonly ?? []);
  const index = all.findIndex((key) => key.equals(account));
  if (index < 0) throw new CloakError(ErrorCode.INVALID_INSTRUCTION_INPUT, `account: ${account.toBase58()} is not an account of transaction ${response.transaction.signatures[0]}`);
  return BigInt(meta.postBalances[index]!) - BigInt(meta.preBalances[index]!);
}

/** How `owner`'s token balance of `mint` changed in the transaction (0 when it holds none before or after). */
export function tokensMoved(response: VersionedTransactionResponse, mint: PublicKey, owner: PublicKey): bigint {
  const meta = metaOf(response);
  const find = (balances: TokenBalance[] | null | undefined) =>
    BigInt(balances?.find((balance) => balance.mint === mint.toBase58() && balance.owner === owner.toBase58())?.uiTokenAmount.amount ?? "0");
  return find(meta.postTokenBalances) - find(meta.preTokenBalances);
}
