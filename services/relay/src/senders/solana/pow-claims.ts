import { SCRAMBLE_REGISTRY_IDL, WILDCARD_BATCH, decodeClaim, type ClaimAccount } from "@cloak/sdk/solana";
import { PublicKey, type Commitment, type Connection } from "@solana/web3.js";
import bs58 from "bs58";
import type { Logger } from "pino";
import type { RelayConfig } from "../../config.ts";
import { RelayError, RelayErrorCode } from "../../errors.ts";

/** A revealed claim a relayed withdrawal can consume now. */
export interface UsableClaim {
  readonly claim: PublicKey;
  readonly minerAuthority: PublicKey;
  readonly expiresAtSlot: bigint;
}

export interface PowClaimsOptions {
  /** Reads through the sender's endpoints (SolanaSender.read). */
  readonly read: <T>(call: (connection: Connection) => Promise<T>) => Promise<T>;
  readonly registryProgramId: PublicKey;
  readonly pow: Pick<RelayConfig["pow"], "claim_cache_ttl" | "search_timeout">;
  readonly commitment: Commitment;
  readonly logger: Logger;
  /** How long to wait between listings while none is usable; 500 ms unless given. */
  readonly pollIntervalMs?: number;
}

/**
 * Slots a claim must stay valid for beyond now: the transaction consuming it lands some slots after it
 * is built (signing, simulation, a rebroadcast or two), and one landing after the claim expired fails.
 */
export const CLAIM_MARGIN_SLOTS = 32n;

const CLAIM_DISCRIMINATOR = Uint8Array.from(SCRAMBLE_REGISTRY_IDL.accounts.find((account) => account.name === "Claim")!.discriminator);

interface Listed {
  readonly address: PublicKey;
  readonly account: ClaimAccount;
}

function usable(account: ClaimAccount, slot: bigint, batchHash: Uint8Array): boolean {
  const batch = account.batchHash;
  const forBatch = batch.every((byte, i) => byte === WILDCARD_BATCH[i]) || batch.every((byte, i) => byte === batchHash[i]);
  return account.revealedAtSlot > 0n && account.expiresAtSlot >= slot + CLAIM_MARGIN_SLOTS && account.consumedCount < account.maxConsumptions && forBatch;
}

/**
 * Finds a miner's revealed claim for a relayed withdrawal in the scramble registry: the registry's claim
 * accounts are listed with one getProgramAccounts (reused for `[pow] claim_cache_ttl`), a candidate is
 * read again before it is chosen (its consumption count moves with every withdrawal), and the search
 * gives up after `[pow] search_timeout`. The soonest-expiring usable claim is taken, so claims are used
 * before they lapse.
 */
export class PowClaims {
  readonly #options: PowClaimsOptions;
  #listing: { readonly at: number; readonly claims: readonly Listed[] } | null = null;

  constructor(options: PowClaimsOptions) {
    this.#options = options;
  }

  async #list(): Promise<readonly Listed[]> {
    if (this.#listing && Date.now() - this.#listing.at < this.#options.pow.claim_cache_ttl) return this.#listing.claims;
    const accounts = await this.#options.read((connection) =>
      connection.getProgramAccounts(this.#options.registryProgramId, {
        commitment: this.#options.commitment,
        filters: [{ memcmp: { offset: 0, bytes: bs58.encode(CLAIM_DISCRIMINATOR) } }],
      }),
    );
    const claims: Listed[] = [];
    for (const { pubkey, account } of accounts) {
      try {
        claims.push({ address: pubkey, account: decodeClaim(account.data) });
      } catch (error) {
        this.#options.logger.warn({ claim: pubkey.toBase58(), err: error }, "pow: a registry account with the claim discriminator does not decode");
      }
    }
    this.#listing = { at: Date.now(), claims };
    return claims;
  }

  /** Forgets the cached listing (e.g. after a claim turned out consumed or expired on chain). */
  invalidate(): void {
    this.#listing = null;
  }

  /** A claim usable for the withdrawal of `batchHash` (powBatchHash of its nullifiers), or POW_CLAIM_NOT_FOUND after search_timeout. */
  async find(batchHash: Uint8Array): Promise<UsableClaim> {
    const deadline = Date.now() + this.#options.pow.search_timeout;
    for (;;) {
      const slot = BigInt(await this.#options.read((connection) => connection.getSlot(this.#options.commitment)));
      const candidates = (await this.#list()).filter((listed) => usable(listed.account, slot, batchHash)).toSorted((a, b) => (a.account.expiresAtSlot < b.account.expiresAtSlot ? -1 : 1));
      for (const candidate of candidates) {
        const info = await this.#options.read((connection) => connection.getAccountInfo(candidate.address, this.#options.commitment));
        if (!info || !info.owner.equals(this.#options.registryProgramId)) continue;
        const fresh = decodeClaim(info.data);
        if (usable(fresh, slot, batchHash)) return { claim: candidate.address, minerAuthority: fresh.minerAuthority, expiresAtSlot: fresh.expiresAtSlot };
      }
      // Nothing usable in what is cached: a miner may have revealed one since.
      this.invalidate();
      if (Date.now() >= deadline) {
        throw new RelayError(RelayErrorCode.POW_CLAIM_NOT_FOUND, `no claim of registry ${this.#options.registryProgramId.toBase58()} usable by this withdrawal (revealed, not fully consumed, for its batch or any, valid ${CLAIM_MARGIN_SLOTS} more slots) within ${this.#options.pow.search_timeout} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.#options.pollIntervalMs ?? 500));
    }
  }
}
