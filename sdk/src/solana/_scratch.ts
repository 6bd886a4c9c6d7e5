import anchor from "@coral-xyz/anchor";
import type { BN } from "@coral-xyz/anchor";
export const b: BN = new anchor.BN("123");
