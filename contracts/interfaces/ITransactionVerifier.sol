// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ITransactionVerifier
/// @notice The Groth16 verifier the ceremony exports for the join-split circuit
///         (`contracts/verifiers/Transaction20Verifier.sol`).
interface ITransactionVerifier {
    /// @notice Verifies a join-split proof.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point, G2 coordinates in the precompile's order.
    /// @param pC The proof's C point.
    /// @param pubSignals root, publicAmount, extDataHash, inputNullifier[2], outputCommitment[2].
    /// @return True when the proof is valid for these public signals.
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[7] calldata pubSignals
    ) external view returns (bool);
}
