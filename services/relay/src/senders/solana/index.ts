export { SolanaSender, type SolanaConfirmation, type SolanaSenderOptions, type SolanaTxBuilder, type SolanaTxRequest } from "./sender.ts";
export { solanaStore, type SignedSolanaTransaction, type StoredSolanaTransaction } from "./store.ts";
export { CLAIM_MARGIN_SLOTS, PowClaims, type PowClaimsOptions, type UsableClaim } from "./pow-claims.ts";
