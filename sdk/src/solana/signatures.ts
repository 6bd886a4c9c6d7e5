import type { ConfirmedSignatureInfo, Connection, Finality, PublicKey, SignaturesForAddressOptions } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";

/** getSignaturesForAddress's largest page: a node answers at most this many signatures a call. */
export const MAX_SIGNATURE_PAGE = 1000;

export interface AddressSignaturesOptions {
  /** Only transactions newer than this one (getSignaturesForAddress's `until`); every one when absent. */
  until?: string;
  /**
   * Only transactions of this slot or later. Pages run newest first, so paging stops at the first page
   * that reaches below it: older pages cannot hold one.
   */
  fromSlot?: number;
  /** "confirmed" unless given. */
  commitment?: Finality;
  /** Signatures asked for per call; MAX_SIGNATURE_PAGE unless given. */
  pageSize?: number;
}

/**
 * `address`'s transactions (failed ones included, as the node lists them) newer than `until` and from
 * `fromSlot` on, oldest first. getSignaturesForAddress answers newest first, one page at a time: each
 * next page is asked for with `before` = the oldest signature so far, until a short page (the history's
 * start, or `until`) or a page reaching below `fromSlot`.
 */
export async function fetchAddressSignatures(
  connection: Pick<Connection, "getSignaturesForAddress">,
  address: PublicKey,
  options: AddressSignaturesOptions = {},
): Promise<ConfirmedSignatureInfo[]> {
  const pageSize = options.pageSize ?? MAX_SIGNATURE_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_SIGNATURE_PAGE) {
    throw new CloakError(ErrorCode.INVALID_OPTION, `pageSize: must be an integer from 1 to ${MAX_SIGNATURE_PAGE}, got ${options.pageSize}`);
  }
  const fromSlot = options.fromSlot ?? 0;
  const newestFirst: ConfirmedSignatureInfo[] = [];
  let before: string | undefined;
  for (;;) {
    const request: SignaturesForAddressOptions = { limit: pageSize };
    if (before !== undefined) request.before = before;
    if (options.until !== undefined) request.until = options.until;
    const page = await connection.getSignaturesForAddress(address, request, options.commitment ?? "confirmed");
    newestFirst.push(...page);
    const oldest = page[page.length - 1];
    if (page.length < pageSize || !oldest || oldest.slot < fromSlot) break;
    before = oldest.signature;
  }
  return newestFirst.filter((entry) => entry.slot >= fromSlot).reverse();
}
