// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleTreeWithHistory} from "../tree/MerkleTreeWithHistory.sol";

/// @title MerkleTreeHarness
/// @notice Test-only: deploys MerkleTreeWithHistory without a proxy and exposes its internal insert, for the
///         Solidity and mocha tests and the gas benchmark (bench/poseidon-gas.ts).
contract MerkleTreeHarness is MerkleTreeWithHistory {
    /// @notice A pair was appended.
    /// @param tree The tree it went into.
    /// @param index The index of the first leaf.
    /// @param root The root recorded for the pair.
    event PairInserted(uint256 tree, uint32 index, bytes32 root);

    /// @dev A shorter root history for eviction tests; 0 keeps ROOT_HISTORY_SIZE.
    uint256 private _shortHistory;

    /// @notice Initializes the tree; callable once.
    /// @param levels_ Depth of the tree, in [1, MAX_LEVELS].
    /// @param hasher_ The deployed Poseidon(2) hasher.
    function initialize(uint32 levels_, address hasher_) external initializer {
        __MerkleTreeWithHistory_init(levels_, hasher_);
    }

    /// @notice Calls the tree initializer again from a reinitializer, which the tree must refuse.
    /// @param levels_ Depth of the tree.
    /// @param hasher_ The hasher.
    function reinitializeTree(uint32 levels_, address hasher_) external reinitializer(2) {
        __MerkleTreeWithHistory_init(levels_, hasher_);
    }

    /// @notice Calls the tree initializer outside any initializer, which `onlyInitializing` must refuse.
    /// @param levels_ Depth of the tree.
    /// @param hasher_ The hasher.
    function initializeUnguarded(uint32 levels_, address hasher_) external {
        __MerkleTreeWithHistory_init(levels_, hasher_);
    }

    /// @notice Makes only the last `size` roots known (0 restores ROOT_HISTORY_SIZE), so eviction is testable
    ///         without 65,536 inserts; the lookup rule is the production one.
    /// @param size How many roots stay known.
    function setRootHistorySize(uint256 size) external {
        _shortHistory = size;
    }

    /// @notice Appends a pair of leaves.
    /// @param leaf1 The leaf placed at the returned index.
    /// @param leaf2 The leaf placed after it.
    /// @return tree The tree the pair went into.
    /// @return index The index of `leaf1`.
    function insert(bytes32 leaf1, bytes32 leaf2) external returns (uint256 tree, uint32 index) {
        (tree, index) = _insert(leaf1, leaf2);
        emit PairInserted(tree, index, getLastRoot());
    }

    /// @notice Appends a pair and reports the gas `_insert` alone used; meant for `eth_call` by the benchmark.
    /// @param leaf1 The leaf placed at the returned index.
    /// @param leaf2 The leaf placed after it.
    /// @return tree The tree the pair went into.
    /// @return index The index of `leaf1`.
    /// @return gasUsed Gas spent inside `_insert`, measured with `gasleft()`.
    function insertMeasured(bytes32 leaf1, bytes32 leaf2) external returns (uint256 tree, uint32 index, uint256 gasUsed) {
        uint256 before = gasleft();
        (tree, index) = _insert(leaf1, leaf2);
        gasUsed = before - gasleft();
    }

    function _rootHistorySize() internal view override returns (uint256) {
        return _shortHistory == 0 ? super._rootHistorySize() : _shortHistory;
    }
}
