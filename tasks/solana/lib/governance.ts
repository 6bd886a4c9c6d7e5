// Readings of the shield pool's Config that several commands report.
import type { ConfigAccount } from "@cloak/sdk/solana";

/** When the pending key can be applied: the delay after its proposal and after the last unpause (the exit window); null when none is pending. */
export function rotationReadyAt(config: ConfigAccount): bigint | null {
  if (config.pendingVerifyingKeySet !== 1) return null;
  const since = config.pendingVerifyingKeyProposedAt > config.unpausedSince ? config.pendingVerifyingKeyProposedAt : config.unpausedSince;
  return since + config.verifyingKeyDelaySeconds;
}

/** The Config as operators read it: keys in base58 ("none" for the zero key), times as unix seconds. */
export function configSummary(config: ConfigAccount) {
  const key = (value: { toBase58(): string; equals(other: never): boolean }) => (isZeroKey(value) ? null : value.toBase58());
  return {
    admin: config.admin.toBase58(),
    pendingAdmin: key(config.pendingAdmin),
    pauseAuthority: key(config.pauseAuthority),
    pendingPauseAuthority: key(config.pendingPauseAuthority),
    securityCouncil: key(config.securityCouncil),
    pendingSecurityCouncil: key(config.pendingSecurityCouncil),
    paused: config.paused === 1,
    powRequired: config.powRequired === 1,
    relayers: config.relayers.slice(0, Number(config.relayerCount)).map((relayer) => relayer.toBase58()),
    verifyingKeyDelaySeconds: config.verifyingKeyDelaySeconds.toString(),
    unpausedSince: Number(config.unpausedSince),
    pendingVerifyingKey:
      config.pendingVerifyingKeySet === 1 ? { proposedAt: Number(config.pendingVerifyingKeyProposedAt), applicableFrom: Number(rotationReadyAt(config)) } : null,
  };
}

function isZeroKey(value: { toBase58(): string }): boolean {
  return value.toBase58() === "11111111111111111111111111111111";
}
