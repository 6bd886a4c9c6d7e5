import { AddressLookupTableProgram, type AddressLookupTableAccount, type Connection, type PublicKey, type Signer } from "@solana/web3.js";
import { CloakError, ErrorCode } from "../errors.js";
import { sendSolanaInstructions, type SendOptions } from "./send.js";

/**
 * Address lookup tables on a live cluster: creating one, adding addresses, and waiting until the
 * runtime resolves them (addresses added in a slot are usable from the next slot on).
 */

/** Addresses one extend instruction carries and still fits a legacy-sized packet with its signer. */
const ADDRESSES_PER_EXTEND = 20;
/** How long to wait for a table to become usable. */
const ACTIVATION_TIMEOUT_MS = 60_000;
const POLL_MS = 200;

/** Creates a table owned and paid for by `authority` holding `addresses`, and returns it once usable. */
export async function createLookupTable(
  connection: Connection,
  authority: Signer,
  addresses: readonly PublicKey[],
  options: SendOptions = {},
): Promise<AddressLookupTableAccount> {
  // The table's address derives from a recent slot, which must be in the SlotHashes sysvar: not the
  // slot being built now, whose hash is not recorded yet.
  const slot = await connection.getSlot("finalized");
  const [create, table] = AddressLookupTableProgram.createLookupTable({
    authority: authority.publicKey,
    payer: authority.publicKey,
    recentSlot: Math.max(0, slot - 1),
  });
  await sendSolanaInstructions(connection, { payer: authority, instructions: [create] }, options);
  return extendLookupTable(connection, authority, table, addresses, options);
}

/** Adds those of `addresses` that `table` (owned by `authority`) lacks, and returns it once they are usable. */
export async function extendLookupTable(
  connection: Connection,
  authority: Signer,
  table: PublicKey,
  addresses: readonly PublicKey[],
  options: SendOptions = {},
): Promise<AddressLookupTableAccount> {
  const current = await fetchLookupTable(connection, table);
  const missing = addresses.filter((address, i) => !current.state.addresses.some((held) => held.equals(address)) && addresses.findIndex((other) => other.equals(address)) === i);
  for (let start = 0; start < missing.length; start += ADDRESSES_PER_EXTEND) {
    const extend = AddressLookupTableProgram.extendLookupTable({
      lookupTable: table,
      authority: authority.publicKey,
      payer: authority.publicKey,
      addresses: missing.slice(start, start + ADDRESSES_PER_EXTEND),
    });
    await sendSolanaInstructions(connection, { payer: authority, instructions: [extend] }, options);
  }
  return waitUntilUsable(connection, table, current.state.addresses.length + missing.length);
}

/** The table at `address`; a CloakError NOT_INITIALIZED when there is none. */
export async function fetchLookupTable(connection: Connection, address: PublicKey): Promise<AddressLookupTableAccount> {
  const { value } = await connection.getAddressLookupTable(address);
  if (!value) throw new CloakError(ErrorCode.NOT_INITIALIZED, `lookup table ${address.toBase58()}: no such table`);
  return value;
}

/** Whether `table` holds every one of `addresses`. */
export function lookupTableHolds(table: AddressLookupTableAccount, addresses: readonly PublicKey[]): boolean {
  return addresses.every((address) => table.state.addresses.some((held) => held.equals(address)));
}

async function waitUntilUsable(connection: Connection, address: PublicKey, length: number): Promise<AddressLookupTableAccount> {
  const deadline = Date.now() + ACTIVATION_TIMEOUT_MS;
  for (;;) {
    const table = await fetchLookupTable(connection, address);
    if (table.state.addresses.length >= length && (await connection.getSlot("confirmed")) > table.state.lastExtendedSlot) return table;
    if (Date.now() > deadline) {
      throw new CloakError(ErrorCode.NOT_INITIALIZED, `lookup table ${address.toBase58()}: not usable with ${length} addresses after ${ACTIVATION_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
