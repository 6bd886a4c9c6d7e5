// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CloakPoseidon2} from "./CloakPoseidon2.sol";
import {IPoseidonPathHasher, IPoseidonT3} from "../tree/MerkleTreeWithHistory.sol";

/// @title CloakPoseidonHasher
/// @notice The Merkle trees' Poseidon(2) hasher: the generated `CloakPoseidon2` behind `IPoseidonT3.hash`, plus
///         `hashPath`, which hashes a whole insertion path in one call so a tree pays one external call per insert
///         instead of one per level (docs/evm.md, "Generated Poseidon").
/// @dev Stateless and `pure`; deployed through the deterministic-deployment proxy (tasks/lib/poseidon.ts).
contract CloakPoseidonHasher is IPoseidonPathHasher {
    /// @inheritdoc IPoseidonT3
    function hash(uint256[2] calldata input) external pure returns (uint256) {
        return CloakPoseidon2.hash(input[0], input[1]);
    }

    /// @inheritdoc IPoseidonPathHasher
    function hashPath(uint256 left, uint256 right, uint256 index, uint256[] calldata siblings)
        external
        pure
        returns (uint256[] memory nodes)
    {
        uint256 count = siblings.length;
        nodes = new uint256[](count + 1);
        uint256 node = CloakPoseidon2.hash(left, right);
        nodes[0] = node;
        for (uint256 i = 0; i < count; ++i) {
            node = (index >> i) & 1 == 0 ? CloakPoseidon2.hash(node, siblings[i]) : CloakPoseidon2.hash(siblings[i], node);
            nodes[i + 1] = node;
        }
    }
}
