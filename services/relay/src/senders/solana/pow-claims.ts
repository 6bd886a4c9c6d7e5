import { SCRAMBLE_REGISTRY_IDL, WILDCARD_BATCH, decodeClaim, type ClaimAccount } from "@cloak/sdk/solana";
import { PublicKey, type Commitment, type Connection } from "@solana/web3.js";
import bs58 from "bs58";
import type pg from "pg";
import type { Logger } from "pino";
import type { RelayConfig } from "../../config.ts";
import { RelayError, RelayErrorCode } from "../../errors.ts";
import { inTransaction } from "../database.ts";

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
  /**
   * Where claims handed out are recorded (solana_claim_holds), so relay processes sharing it do not hand
   * one claim's last consumption to several withdrawals; this process's memory only when absent.
   */
  readonly database?: pg.Pool;
  /** How long a hold lasts unless released (a crashed holder's lapses); 60 s unless given. */
  readonly holdMs?: number;
}

const DEFAULT_HOLD_MS = 60_000;

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

/** `held`: consumptions this process handed to attempts still running (not yet counted on chain). */
function usable(account: ClaimAccount, slot: bigint, batchHash: Uint8Array, held = 0): boolean {
  const batch = account.batchHash;
  const forBatch = batch.every((byte, i) => byte === WILDCARD_BATCH[i]) || batch.every((byte, i) => byte === batchHash[i]);
  return account.revealedAtSlot > 0n && account.expiresAtSlot >= slot + CLAIM_MARGIN_SLOTS && account.consumedCount + held < account.maxConsumptions && forBatch;
}

/**
 * Finds a miner's revealed claim for a relayed withdrawal in the scramble registry: the registry's claim
 * accounts are listed with one getProgramAccounts (reused for `[pow] claim_cache_ttl`), a candidate is
 * read again before it is chosen (its consumption count moves with every withdrawal), and the search
 * gives up after `[pow] search_timeout`. The soonest-expiring usable claim is taken, so claims are used
 * before they lapse. A claim handed out counts as consumed until released (or its hold lapses):
 * concurrent withdrawals would otherwise all take the same claim, and those landing after it filled
 * fail (their fee spent; they are retried with another claim).
 */
export class PowClaims {
  readonly #options: PowClaimsOptions;
  #listing: { readonly at: number; readonly claims: readonly Listed[] } | null = null;
  /** Without a database: claim (base58) → holders (withdrawals) it was handed to and not released. */
  readonly #held = new Map<string, Set<string>>();

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

  /**
   * Runs `choose` with the holds of withdrawals other than `holder` per claim, and records the claim it
   * chose as held by `holder`. With a database, under a lock shared by the relay processes using it.
   */
  async #hold(holder: string, choose: (held: ReadonlyMap<string, number>) => Promise<UsableClaim | null>): Promise<UsableClaim | null> {
    const database = this.#options.database;
    if (!database) {
      const held = new Map([...this.#held].map(([claim, holders]) => [claim, holders.size - (holders.has(holder) ? 1 : 0)]));
      const found = await choose(held);
      if (found) this.#held.set(found.claim.toBase58(), (this.#held.get(found.claim.toBase58()) ?? new Set()).add(holder));
      return found;
    }
    const registry = this.#options.registryProgramId.toBase58();
    return inTransaction(database, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`cloak-relay/pow-claims/${registry}`]);
      const { rows } = await client.query<{ claim: string; held: number }>(
        "SELECT claim, count(*)::int AS held FROM solana_claim_holds WHERE registry = $1 AND holder <> $2 AND expires_at > now() GROUP BY claim",
        [registry, holder],
      );
      const found = await choose(new Map(rows.map((row) => [row.claim, row.held])));
      if (found) {
        await client.query(
          `INSERT INTO solana_claim_holds (registry, claim, holder, expires_at) VALUES ($1, $2, $3, now() + $4::float8 * interval '1 millisecond')
           ON CONFLICT (registry, claim, holder) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
          [registry, found.claim.toBase58(), holder, this.#options.holdMs ?? DEFAULT_HOLD_MS],
        );
      }
      return found;
    });
  }

  /** Gives back a claim `find` handed to `holder`, once the attempt using it ended (its consumption, if any, is on chain by then). */
  async release(claim: PublicKey, holder: string): Promise<void> {
    const key = claim.toBase58();
    if (!this.#options.database) {
      this.#held.get(key)?.delete(holder);
      if (this.#held.get(key)?.size === 0) this.#held.delete(key);
      return;
    }
    await this.#options.database.query("DELETE FROM solana_claim_holds WHERE registry = $1 AND claim = $2 AND holder = $3", [this.#options.registryProgramId.toBase58(), key, holder]);
  }

  /**
   * A claim usable for the withdrawal of `batchHash` (powBatchHash of its nullifiers), held for
   * `holder` (the withdrawal's job) until released, or POW_CLAIM_NOT_FOUND after search_timeout.
   */
  async find(batchHash: Uint8Array, holder = "anonymous"): Promise<UsableClaim> {
    const deadline = Date.now() + this.#options.pow.search_timeout;
    for (;;) {
      const slot = BigInt(await this.#options.read((connection) => connection.getSlot(this.#options.commitment)));
      const found = await this.#hold(holder, async (held) => {
        const heldOf = (claim: PublicKey): number => held.get(claim.toBase58()) ?? 0;
        const candidates = (await this.#list()).filter((listed) => usable(listed.account, slot, batchHash, heldOf(listed.address))).toSorted((a, b) => (a.account.expiresAtSlot < b.account.expiresAtSlot ? -1 : 1));
        for (const candidate of candidates) {
          const info = await this.#options.read((connection) => connection.getAccountInfo(candidate.address, this.#options.commitment));
          if (!info || !info.owner.equals(this.#options.registryProgramId)) continue;
          const fresh = decodeClaim(info.data);
          if (usable(fresh, slot, batchHash, heldOf(candidate.address))) return { claim: candidate.address, minerAuthority: fresh.minerAuthority, expiresAtSlot: fresh.expiresAtSlot };
        }
        return null;
      });
      if (found) return found;
      // Nothing usable in what is cached: a miner may have revealed one since.
      this.invalidate();
      if (Date.now() >= deadline) {
        throw new RelayError(RelayErrorCode.POW_CLAIM_NOT_FOUND, `no claim of registry ${this.#options.registryProgramId.toBase58()} usable by this withdrawal (revealed, not fully consumed, for its batch or any, valid ${CLAIM_MARGIN_SLOTS} more slots) within ${this.#options.pow.search_timeout} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.#options.pollIntervalMs ?? 500));
    }
  }
}
