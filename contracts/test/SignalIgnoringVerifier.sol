// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ITransactionVerifier} from "../interfaces/ITransactionVerifier.sol";

/// @title SignalIgnoringVerifier
/// @notice Test-only: a verifier that does not bind proofs to one public signal. It forwards to a real
///         verifier but replaces that signal by a value fixed at deployment, so whatever the caller
///         passes there is ignored: a proof made for the fixed value verifies under any other. This is
///         the subtle broken verifier the known-answer check of `verifier:rotate` must refuse (an
///         ignored root, nullifier or commitment would let anyone mint or double-spend).
contract SignalIgnoringVerifier is ITransactionVerifier {
    /// @notice The real verifier every call is forwarded to.
    ITransactionVerifier public immutable inner;
    /// @notice Position of the ignored signal in the public signals.
    uint256 public immutable ignoredSignal;
    /// @notice The value forwarded in place of the ignored signal.
    uint256 public immutable pinnedValue;

    /// @param inner_ The real verifier.
    /// @param ignoredSignal_ Position of the signal to ignore (0 root, 1 publicAmount, 2 extDataHash,
    ///        3-4 nullifiers, 5-6 commitments).
    /// @param pinnedValue_ The value forwarded in its place.
    constructor(ITransactionVerifier inner_, uint256 ignoredSignal_, uint256 pinnedValue_) {
        inner = inner_;
        ignoredSignal = ignoredSignal_;
        pinnedValue = pinnedValue_;
    }

    /// @inheritdoc ITransactionVerifier
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[7] calldata pubSignals
    ) external view returns (bool) {
        uint256[7] memory forwarded = pubSignals;
        forwarded[ignoredSignal] = pinnedValue;
        return inner.verifyProof(pA, pB, pC, forwarded);
    }
}
