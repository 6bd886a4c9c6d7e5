// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// `npx hardhat test solidity`: MerkleTreeWithHistory against a naive reference that rebuilds the root from
// every leaf, with fuzzed leaves, pair counts and depths, plus root-history eviction and the guards.
// forge-std is not used: its npm releases are stale and Hardhat installs the current one from GitHub, which
// this project cannot reach, so the few assertions needed are below. Fuzz runs use Hardhat's fixed default
// seed, so failures reproduce.

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {CloakPoseidonHasherCode} from "../../contracts/hasher/CloakPoseidonHasherCode.sol";
import {MerkleTreeHarness} from "../../contracts/test/MerkleTreeHarness.sol";
import {IPoseidonT3, MerkleTreeWithHistory} from "../../contracts/tree/MerkleTreeWithHistory.sol";

/// @dev A contract with the hasher's interface that computes something else.
contract NotPoseidon is IPoseidonT3 {
    function hash(uint256[2] calldata input) external pure returns (uint256) {
        return input[0] + input[1] + 1;
    }
}

/// @dev Assertions with readable failure messages.
abstract contract Assertions {
    function assertEq(bytes32 actual, bytes32 expected, string memory what) internal pure {
        if (actual != expected) {
            string memory got = Strings.toHexString(uint256(actual));
            revert(string.concat(what, ": got ", got, ", expected ", Strings.toHexString(uint256(expected))));
        }
    }

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) {
            revert(string.concat(what, ": got ", Strings.toString(actual), ", expected ", Strings.toString(expected)));
        }
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert(what);
    }

    /// @dev Calls `target` and requires a revert whose data is exactly `expectedRevert`.
    function assertReverts(address target, bytes memory callData, bytes memory expectedRevert, string memory what)
        internal
    {
        (bool success, bytes memory returned) = target.call(callData);
        assertTrue(!success, string.concat(what, ": did not revert"));
        assertEq(keccak256(returned), keccak256(expectedRevert), string.concat(what, ": wrong revert data"));
    }
}

contract MerkleTreeTest is Assertions {
    uint256 internal constant FIELD_SIZE =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint32 internal constant ROOT_HISTORY_SIZE = 65_536;
    /// @dev The harness's shortened history for eviction tests: the production lookup, fewer inserts.
    uint32 internal constant SHORT_HISTORY = 100;
    uint32 internal constant MAX_LEVELS = 32;
    /// @dev Small enough to rebuild the whole tree after every pair, deep enough for several levels of carries.
    uint32 internal constant FUZZ_LEVELS = 5;
    /// @dev Holds 128 pairs: room to push the first roots out of the history.
    uint32 internal constant HISTORY_LEVELS = 8;

    address internal hasher;

    function setUp() public {
        bytes memory code = CloakPoseidonHasherCode.CREATION_CODE;
        address deployed;
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        assertTrue(deployed != address(0), "CloakPoseidonHasher deployment");
        hasher = deployed;
    }

    // --- Helpers ----------------------------------------------------------------------------------------------

    function _newTree(uint32 levels) internal returns (MerkleTreeHarness tree) {
        tree = new MerkleTreeHarness();
        tree.initialize(levels, hasher);
    }

    function _poseidon(bytes32 left, bytes32 right) internal view returns (bytes32) {
        return bytes32(IPoseidonT3(hasher).hash([uint256(left), uint256(right)]));
    }

    /// @dev A field element from `seed`; about one leaf in four is 0, the empty leaf, and some are FIELD_SIZE - 1.
    function _leaf(uint256 seed, uint256 i) internal pure returns (bytes32) {
        uint256 r = uint256(keccak256(abi.encode(seed, i)));
        if (r % 4 == 0) return 0;
        if (r % 16 == 1) return bytes32(FIELD_SIZE - 1);
        return bytes32(r % FIELD_SIZE);
    }

    /// @dev The root from scratch: pad the leaves with zeros to 2^levels and hash level by level, without the
    ///      tree's zero table or filled subtrees.
    function _naiveRoot(bytes32[] memory leaves, uint256 count, uint32 levels) internal view returns (bytes32) {
        uint256 width = uint256(1) << levels;
        bytes32[] memory layer = new bytes32[](width);
        for (uint256 i = 0; i < count; ++i) {
            layer[i] = leaves[i];
        }
        for (uint256 level = 0; level < levels; ++level) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                layer[i] = _poseidon(layer[2 * i], layer[2 * i + 1]);
            }
        }
        return layer[0];
    }

    /// @dev Inserts `pairs` pairs from `seed`, checking index, root and history after each against the reference.
    function _insertAndCheck(MerkleTreeHarness tree, uint32 levels, uint256 seed, uint256 pairs) internal {
        bytes32[] memory leaves = new bytes32[](2 * pairs);
        for (uint256 p = 0; p < pairs; ++p) {
            leaves[2 * p] = _leaf(seed, 2 * p);
            leaves[2 * p + 1] = _leaf(seed, 2 * p + 1);
            (uint256 treeNumber, uint32 index) = tree.insert(leaves[2 * p], leaves[2 * p + 1]);
            assertEq(treeNumber, 0, "tree number");
            assertEq(index, 2 * p, "insert index");
            assertEq(tree.nextLeafIndex(), 2 * p + 2, "nextLeafIndex");
            bytes32 expected = _naiveRoot(leaves, 2 * p + 2, levels);
            assertEq(tree.getLastRoot(), expected, "root after pair");
            assertTrue(tree.isKnownRoot(expected), "new root known");
        }
    }

    function _fill(MerkleTreeHarness tree, uint256 seed, uint256 pairs) internal returns (bytes32[] memory roots) {
        roots = new bytes32[](pairs + 1);
        roots[0] = tree.getLastRoot();
        for (uint256 p = 0; p < pairs; ++p) {
            tree.insert(_leaf(seed, 2 * p), _leaf(seed, 2 * p + 1));
            roots[p + 1] = tree.getLastRoot();
        }
    }

    /// @dev Exactly the last `historySize` roots of `roots[0..count)` are known.
    function _checkHistory(MerkleTreeHarness tree, bytes32[] memory roots, uint256 count, uint256 historySize) internal view {
        for (uint256 i = 0; i < count; ++i) {
            bool expected = i + historySize >= count;
            string memory what = string.concat("isKnownRoot of root ", Strings.toString(i));
            assertTrue(tree.isKnownRoot(roots[i]) == expected, what);
        }
    }

    // --- Insertion against the reference ---------------------------------------------------------------------

    /// hardhat-config: fuzz.runs = 128
    function testFuzz_InsertMatchesNaiveRoot(uint256 seed, uint8 pairCount) public {
        uint256 capacityPairs = (uint256(1) << FUZZ_LEVELS) / 2;
        uint256 pairs = pairCount % (capacityPairs + 1);
        MerkleTreeHarness tree = _newTree(FUZZ_LEVELS);
        _insertAndCheck(tree, FUZZ_LEVELS, seed, pairs);
        if (pairs == capacityPairs) _checkRollover(tree, FUZZ_LEVELS, 0);
    }

    /// @dev `tree` is full: the next pair opens tree `finished + 1` at index 0 with the root of a tree holding only
    ///      that pair, and the finished tree's last root becomes its final root, still known.
    function _checkRollover(MerkleTreeHarness tree, uint32 levels, uint256 finished) internal {
        bytes32 last = tree.getLastRoot();
        (uint256 treeNumber, uint32 index) = tree.insert(bytes32(uint256(1)), bytes32(uint256(2)));
        assertEq(treeNumber, finished + 1, "next tree");
        assertEq(index, 0, "first index of the next tree");
        assertEq(tree.currentTreeNumber(), finished + 1, "currentTreeNumber");
        assertEq(tree.nextLeafIndex(), 2, "leaves in the next tree");
        assertEq(tree.finalRoot(finished), last, "final root");
        assertTrue(tree.isKnownRoot(last), "final root known");
        bytes32[] memory pair = new bytes32[](2);
        (pair[0], pair[1]) = (bytes32(uint256(1)), bytes32(uint256(2)));
        assertEq(tree.getLastRoot(), _naiveRoot(pair, 2, levels), "root of the next tree");
    }

    /// hardhat-config: fuzz.runs = 64
    function testFuzz_EveryDepthMatchesNaiveRoot(uint256 seed, uint8 levelsSeed) public {
        uint32 levels = uint32(levelsSeed % 6) + 1;
        MerkleTreeHarness tree = _newTree(levels);
        uint256 capacityPairs = (uint256(1) << levels) / 2;
        _insertAndCheck(tree, levels, seed, capacityPairs);
        assertEq(tree.nextLeafIndex(), uint256(1) << levels, "leaf count of a full tree");
        _checkRollover(tree, levels, 0);
    }

    function test_DepthOneHoldsOnePair() public {
        MerkleTreeHarness tree = _newTree(1);
        tree.insert(bytes32(uint256(1)), bytes32(uint256(2)));
        assertEq(
            tree.getLastRoot(),
            bytes32(uint256(7853200120776062878684798364095072458815029376092732009249414926327459813530)),
            "Poseidon(1, 2)"
        );
        _checkRollover(tree, 1, 0);
        _checkRollover(tree, 1, 1);
    }

    // --- Rollover --------------------------------------------------------------------------------------------

    function test_FinalRootsOutliveTheHistoryAndRecentRootsSurviveTheRollover() public {
        uint32 levels = 3; // four pairs per tree
        MerkleTreeHarness tree = _newTree(levels);
        tree.setRootHistorySize(6);
        bytes32[] memory roots = _fill(tree, 11, 4); // tree 0: the empty root, then 4 roots, the last final
        tree.insert(_leaf(11, 100), _leaf(11, 101)); // rolls over into tree 1
        // Roots of tree 0 recorded within the last 6 are still accepted: a proof in flight survives the rollover.
        for (uint256 i = 0; i < roots.length; ++i) {
            assertTrue(tree.isKnownRoot(roots[i]), string.concat("recent root of tree 0: ", Strings.toString(i)));
        }
        // 16 more pairs: trees 1..4 fill, tree 5 opens; every non-final root of tree 0 leaves the history.
        for (uint256 p = 0; p < 16; ++p) {
            tree.insert(_leaf(12, 2 * p), _leaf(12, 2 * p + 1));
        }
        assertEq(tree.currentTreeNumber(), 5, "trees opened");
        for (uint256 i = 0; i < roots.length - 1; ++i) {
            assertTrue(!tree.isKnownRoot(roots[i]), string.concat("evicted root of tree 0: ", Strings.toString(i)));
        }
        for (uint256 finished = 0; finished < 5; ++finished) {
            assertTrue(tree.isKnownRoot(tree.finalRoot(finished)), string.concat("final root of tree ", Strings.toString(finished)));
        }
        assertEq(tree.finalRoot(0), roots[4], "tree 0's final root is its last root");
        assertReverts(
            address(tree),
            abi.encodeCall(MerkleTreeWithHistory.finalRoot, (5)),
            abi.encodeWithSelector(MerkleTreeWithHistory.MerkleTreeNotFinished.selector, 5, 5),
            "final root of the open tree"
        );
    }

    // --- Root history ----------------------------------------------------------------------------------------

    function test_RootHistoryKeepsTheLastRoots() public {
        MerkleTreeHarness tree = _newTree(HISTORY_LEVELS);
        assertEq(tree.ROOT_HISTORY_SIZE(), ROOT_HISTORY_SIZE, "production history size");
        tree.setRootHistorySize(SHORT_HISTORY);
        bytes32[] memory roots = _fill(tree, 7, 128);
        // The same leaves again, stopping at 99 pairs: the empty root and the 99 after it fill the history.
        MerkleTreeHarness replay = _newTree(HISTORY_LEVELS);
        replay.setRootHistorySize(SHORT_HISTORY);
        _fill(replay, 7, 99);
        _checkHistory(replay, roots, 100, SHORT_HISTORY);
        // One more evicts the empty root; after 128 pairs (a full tree) only roots 29..128 remain.
        replay.insert(_leaf(7, 198), _leaf(7, 199));
        _checkHistory(replay, roots, 101, SHORT_HISTORY);
        _checkHistory(tree, roots, 129, SHORT_HISTORY);
        assertEq(tree.getLastRoot(), roots[128], "last root");
        assertTrue(!tree.isKnownRoot(0), "zero root");
        // With the production size nothing of these 129 roots has left the history.
        tree.setRootHistorySize(0);
        _checkHistory(tree, roots, 129, ROOT_HISTORY_SIZE);
    }

    /// hardhat-config: fuzz.runs = 8
    function testFuzz_RootHistoryEviction(uint256 seed, uint8 extra) public {
        uint256 pairs = SHORT_HISTORY - 1 + (extra % 30); // 99..128: up to a full depth-8 tree
        MerkleTreeHarness tree = _newTree(HISTORY_LEVELS);
        tree.setRootHistorySize(SHORT_HISTORY);
        bytes32[] memory roots = _fill(tree, seed, pairs);
        _checkHistory(tree, roots, pairs + 1, SHORT_HISTORY);
        assertTrue(!tree.isKnownRoot(0), "zero root");
        assertTrue(!tree.isKnownRoot(bytes32(uint256(keccak256(abi.encode(seed))) % FIELD_SIZE)), "unrelated root");
    }

    // --- Empty trees and zeros -------------------------------------------------------------------------------

    function test_ZerosAreTheEmptySubtreeRoots() public {
        MerkleTreeHarness tree = _newTree(1);
        assertEq(tree.zeros(0), bytes32(0), "zeros(0)");
        for (uint256 i = 0; i < MAX_LEVELS; ++i) {
            string memory what = string.concat("zeros ", Strings.toString(i + 1));
            assertEq(tree.zeros(i + 1), _poseidon(tree.zeros(i), tree.zeros(i)), what);
        }
        assertReverts(
            address(tree),
            abi.encodeCall(MerkleTreeWithHistory.zeros, (MAX_LEVELS + 1)),
            abi.encodeWithSelector(MerkleTreeWithHistory.MerkleTreeZeroIndexOutOfRange.selector, MAX_LEVELS + 1),
            "zeros(33)"
        );
    }

    function test_EmptyTreeAtEveryDepth() public {
        for (uint32 levels = 1; levels <= MAX_LEVELS; ++levels) {
            MerkleTreeHarness tree = _newTree(levels);
            assertEq(tree.levels(), levels, "levels");
            assertEq(tree.nextLeafIndex(), 0, "nextLeafIndex");
            assertEq(tree.getLastRoot(), tree.zeros(levels), "empty root");
            assertTrue(tree.isKnownRoot(tree.zeros(levels)), "empty root known");
            assertTrue(!tree.isKnownRoot(0), "zero root");
            assertEq(uint256(uint160(tree.poseidonHasher())), uint256(uint160(hasher)), "hasher");
        }
    }

    function test_DepthThirtyTwoInserts() public {
        MerkleTreeHarness tree = _newTree(MAX_LEVELS);
        tree.insert(bytes32(uint256(1)), bytes32(uint256(2)));
        bytes32 node = _poseidon(bytes32(uint256(1)), bytes32(uint256(2)));
        for (uint256 level = 1; level < MAX_LEVELS; ++level) {
            node = _poseidon(node, tree.zeros(level));
        }
        assertEq(tree.getLastRoot(), node, "depth-32 root");
    }

    // --- Field checks ----------------------------------------------------------------------------------------

    function testFuzz_RejectsLeafOutsideField(uint256 excess, bool second) public {
        bytes32 bad = bytes32(FIELD_SIZE + (excess % (type(uint256).max - FIELD_SIZE + 1)));
        MerkleTreeHarness tree = _newTree(FUZZ_LEVELS);
        (bytes32 leaf1, bytes32 leaf2) = second ? (bytes32(0), bad) : (bad, bytes32(0));
        assertReverts(
            address(tree),
            abi.encodeCall(MerkleTreeHarness.insert, (leaf1, leaf2)),
            abi.encodeWithSelector(MerkleTreeWithHistory.MerkleTreeValueOutOfField.selector, bad),
            "leaf outside the field"
        );
        assertEq(tree.nextLeafIndex(), 0, "nothing inserted");
    }

    function testFuzz_HashLeftRight(uint256 left, uint256 right) public {
        MerkleTreeHarness tree = _newTree(1);
        bytes memory callData = abi.encodeCall(MerkleTreeWithHistory.hashLeftRight, (bytes32(left), bytes32(right)));
        if (left >= FIELD_SIZE || right >= FIELD_SIZE) {
            bytes32 bad = bytes32(left >= FIELD_SIZE ? left : right);
            assertReverts(
                address(tree),
                callData,
                abi.encodeWithSelector(MerkleTreeWithHistory.MerkleTreeValueOutOfField.selector, bad),
                "hashLeftRight outside the field"
            );
        } else {
            bytes32 expected = _poseidon(bytes32(left), bytes32(right));
            assertEq(tree.hashLeftRight(bytes32(left), bytes32(right)), expected, "hashLeftRight");
        }
    }

    // --- Initialization --------------------------------------------------------------------------------------

    function test_RejectsLevelsOutOfRange() public {
        uint32[2] memory bad = [uint32(0), MAX_LEVELS + 1];
        for (uint256 i = 0; i < bad.length; ++i) {
            MerkleTreeHarness tree = new MerkleTreeHarness();
            assertReverts(
                address(tree),
                abi.encodeCall(MerkleTreeHarness.initialize, (bad[i], hasher)),
                abi.encodeWithSelector(MerkleTreeWithHistory.MerkleTreeInvalidLevels.selector, bad[i]),
                "levels out of range"
            );
        }
    }

    function test_RejectsWrongHashers() public {
        address[3] memory bad = [address(0), address(0xBEEF), address(new NotPoseidon())];
        for (uint256 i = 0; i < bad.length; ++i) {
            MerkleTreeHarness tree = new MerkleTreeHarness();
            assertReverts(
                address(tree),
                abi.encodeCall(MerkleTreeHarness.initialize, (FUZZ_LEVELS, bad[i])),
                abi.encodeWithSelector(MerkleTreeWithHistory.MerkleTreeInvalidHasher.selector, bad[i]),
                "wrong hasher"
            );
        }
        // A contract without `hash(uint256[2])` at all: this test contract.
        MerkleTreeHarness other = new MerkleTreeHarness();
        assertReverts(
            address(other),
            abi.encodeCall(MerkleTreeHarness.initialize, (FUZZ_LEVELS, address(this))),
            abi.encodeWithSelector(MerkleTreeWithHistory.MerkleTreeInvalidHasher.selector, address(this)),
            "contract that is no hasher"
        );
    }

    function test_InitializerGuards() public {
        MerkleTreeHarness fresh = new MerkleTreeHarness();
        assertReverts(
            address(fresh),
            abi.encodeCall(MerkleTreeHarness.initializeUnguarded, (FUZZ_LEVELS, hasher)),
            abi.encodeWithSelector(Initializable.NotInitializing.selector),
            "init outside an initializer"
        );

        MerkleTreeHarness tree = _newTree(FUZZ_LEVELS);
        tree.insert(bytes32(uint256(1)), bytes32(uint256(2)));
        assertReverts(
            address(tree),
            abi.encodeCall(MerkleTreeHarness.initialize, (FUZZ_LEVELS, hasher)),
            abi.encodeWithSelector(Initializable.InvalidInitialization.selector),
            "second initialize"
        );
        assertReverts(
            address(tree),
            abi.encodeCall(MerkleTreeHarness.reinitializeTree, (FUZZ_LEVELS, hasher)),
            abi.encodeWithSelector(MerkleTreeWithHistory.MerkleTreeAlreadyInitialized.selector),
            "tree init from a reinitializer"
        );
        assertEq(tree.nextLeafIndex(), 2, "leaves kept");
    }
}
