// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoseidonT3} from "../tree/MerkleTreeWithHistory.sol";

/// @title PoseidonBatchProbe
/// @notice Test helper: hashes many pairs through a deployed hasher in one eth_call, so the differential test
///         (test/contracts/Poseidon.ts) can run tens of thousands of vectors through the real bytecode quickly.
contract PoseidonBatchProbe {
    /// @notice Poseidon(lefts[i], rights[i]) for every i, each by a static call to `hasher.hash`.
    /// @param hasher The deployed hasher.
    /// @param lefts The left inputs.
    /// @param rights The right inputs, as many as `lefts`.
    /// @return hashes One result per pair.
    function hashMany(IPoseidonT3 hasher, uint256[] calldata lefts, uint256[] calldata rights)
        external
        pure
        returns (uint256[] memory hashes)
    {
        hashes = new uint256[](lefts.length);
        for (uint256 i = 0; i < lefts.length; ++i) {
            hashes[i] = hasher.hash([lefts[i], rights[i]]);
        }
    }
}
