// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// @title IPoseidonT3
/// @notice Poseidon(2) by a static call, with the interface of poseidon-solidity's `PoseidonT3` library.
interface IPoseidonT3 {
    /// @notice Poseidon(input[0], input[1]) over BN254 with circomlib's parameters.
    /// @param input The two field elements.
    /// @return The hash, a field element.
    function hash(uint256[2] calldata input) external pure returns (uint256);
}

/// @title IPoseidonPathHasher
/// @notice The hasher a tree calls: `CloakPoseidonHasher`, our generated Poseidon(2) (contracts/hasher), deployed on
///         its own and reached with static calls; `hashPath` does an insert's hashes in one call (docs/evm.md,
///         "Generated Poseidon").
interface IPoseidonPathHasher is IPoseidonT3 {
    /// @notice The nodes on the path from a pair of sibling leaves to the root.
    /// @param left The left leaf of the pair.
    /// @param right The right leaf.
    /// @param index The pair's node index at level 1; bit i says whether the level-(i + 1) node is a right child.
    /// @param siblings The sibling of the node at each level from 1 up, as many as the levels above level 1.
    /// @return nodes nodes[0] = Poseidon(left, right), nodes[i + 1] = Poseidon of nodes[i] and siblings[i] in the
    ///         order bit i of `index` gives; the last is the root.
    function hashPath(uint256 left, uint256 right, uint256 index, uint256[] calldata siblings)
        external
        pure
        returns (uint256[] memory nodes);
}

/// @title MerkleTreeWithHistory
/// @notice The append-only binary Poseidon Merkle tree of a shield pool, identical to the SDK's `MerkleTree`
///         (sdk/src/merkle.ts, docs/protocol.md "Merkle tree"): node = Poseidon(left, right), empty leaf 0,
///         zeros[i + 1] = Poseidon(zeros[i], zeros[i]). Leaves arrive in pairs, one transaction's two output
///         commitments, and each pair records one root, as the SDK's `insertMany([a, b])` does; the last
///         `ROOT_HISTORY_SIZE` roots, the current one included, stay acceptable for proofs.
///
///         A full tree never stops the pool: the pair that does not fit starts a fresh tree (tree number + 1) at
///         index 0, and the finished tree's final root stays a known root forever, so its notes stay spendable.
///         A leaf is identified by (tree number, index).
/// @dev For contracts behind a proxy: the state lives in an ERC-7201 namespace, and the inheriting contract calls
///      `__MerkleTreeWithHistory_init` from its initializer. The tree emits only `TreeRolledOver`: the inheriting
///      contract announces the leaves with whatever context it has (encrypted outputs, indices).
///
///      Insertion hashes the pair into its level-1 node, then walks up once. A node whose index at its level is
///      odd takes its left sibling from `filledSubtrees`; an even one is hashed with the empty subtree
///      `zeros(level)`. An even node's value is written to `filledSubtrees` only once its subtree is full, the
///      only value a later right sibling will read, so an insert stores about one subtree root instead of
///      one per even level.
abstract contract MerkleTreeWithHistory is Initializable {
    /// @notice How many roots `isKnownRoot` accepts: the current one and the 65,535 before it. Pushing a
    ///         root out of this history takes 65,536 transactions, which is what makes invalidating
    ///         in-flight proofs expensive (docs/evm.md, "Root history"); the lookup is O(1) whatever the size.
    uint32 public constant ROOT_HISTORY_SIZE = 65_536;
    /// @notice The deepest tree supported, matching the SDK's limit and the precomputed `zeros`.
    uint32 public constant MAX_LEVELS = 32;

    /// @dev BN254 scalar field modulus: leaves and Poseidon inputs must lie below it.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @dev One insert appends a transaction's two output commitments.
    uint256 private constant LEAVES_PER_INSERT = 2;
    // Inline assembly reads only literal constants, hence the spelled-out sizes below.
    /// @dev Size of one node in the zero table and of an ABI word.
    uint256 private constant WORD_SIZE = 0x20;
    /// @dev Calldata of `IPoseidonT3.hash`: a 4-byte selector and two words.
    uint256 private constant HASH_CALLDATA_SIZE = 0x44;
    /// @dev Offset of the left input in that calldata: right after the selector.
    uint256 private constant HASH_LEFT_OFFSET = 0x04;
    /// @dev Offset of the right input: one word after the left.
    uint256 private constant HASH_RIGHT_OFFSET = 0x24;
    /// @dev Where the hash's single-word result is copied: Solidity's scratch space.
    uint256 private constant SCRATCH_SPACE = 0x00;

    /// @dev zeros[i] = root of an empty subtree of height i, for i in [0, MAX_LEVELS], one word each, from the
    ///      SDK's `zeroValues(32, await getPoseidon())`. The mocha test checks every entry against the SDK.
    bytes private constant ZERO_TABLE =
        hex"0000000000000000000000000000000000000000000000000000000000000000" // 0
        hex"2098f5fb9e239eab3ceac3f27b81e481dc3124d55ffed523a839ee8446b64864" // 1
        hex"1069673dcdb12263df301a6ff584a7ec261a44cb9dc68df067a4774460b1f1e1" // 2
        hex"18f43331537ee2af2e3d758d50f72106467c6eea50371dd528d57eb2b856d238" // 3
        hex"07f9d837cb17b0d36320ffe93ba52345f1b728571a568265caac97559dbc952a" // 4
        hex"2b94cf5e8746b3f5c9631f4c5df32907a699c58c94b2ad4d7b5cec1639183f55" // 5
        hex"2dee93c5a666459646ea7d22cca9e1bcfed71e6951b953611d11dda32ea09d78" // 6
        hex"078295e5a22b84e982cf601eb639597b8b0515a88cb5ac7fa8a4aabe3c87349d" // 7
        hex"2fa5e5f18f6027a6501bec864564472a616b2e274a41211a444cbe3a99f3cc61" // 8
        hex"0e884376d0d8fd21ecb780389e941f66e45e7acce3e228ab3e2156a614fcd747" // 9
        hex"1b7201da72494f1e28717ad1a52eb469f95892f957713533de6175e5da190af2" // 10
        hex"1f8d8822725e36385200c0b201249819a6e6e1e4650808b5bebc6bface7d7636" // 11
        hex"2c5d82f66c914bafb9701589ba8cfcfb6162b0a12acf88a8d0879a0471b5f85a" // 12
        hex"14c54148a0940bb820957f5adf3fa1134ef5c4aaa113f4646458f270e0bfbfd0" // 13
        hex"190d33b12f986f961e10c0ee44d8b9af11be25588cad89d416118e4bf4ebe80c" // 14
        hex"22f98aa9ce704152ac17354914ad73ed1167ae6596af510aa5b3649325e06c92" // 15
        hex"2a7c7c9b6ce5880b9f6f228d72bf6a575a526f29c66ecceef8b753d38bba7323" // 16
        hex"2e8186e558698ec1c67af9c14d463ffc470043c9c2988b954d75dd643f36b992" // 17
        hex"0f57c5571e9a4eab49e2c8cf050dae948aef6ead647392273546249d1c1ff10f" // 18
        hex"1830ee67b5fb554ad5f63d4388800e1cfe78e310697d46e43c9ce36134f72cca" // 19
        hex"2134e76ac5d21aab186c2be1dd8f84ee880a1e46eaf712f9d371b6df22191f3e" // 20
        hex"19df90ec844ebc4ffeebd866f33859b0c051d8c958ee3aa88f8f8df3db91a5b1" // 21
        hex"18cca2a66b5c0787981e69aefd84852d74af0e93ef4912b4648c05f722efe52b" // 22
        hex"2388909415230d1b4d1304d2d54f473a628338f2efad83fadf05644549d2538d" // 23
        hex"27171fb4a97b6cc0e9e8f543b5294de866a2af2c9c8d0b1d96e673e4529ed540" // 24
        hex"2ff6650540f629fd5711a0bc74fc0d28dcb230b9392583e5f8d59696dde6ae21" // 25
        hex"120c58f143d491e95902f7f5277778a2e0ad5168f6add75669932630ce611518" // 26
        hex"1f21feb70d3f21b07bf853d5e5db03071ec495a0a565a21da2d665d279483795" // 27
        hex"24be905fa71335e14c638cc0f66a8623a826e768068a9e968bb1a1dde18a72d2" // 28
        hex"0f8666b62ed17491c50ceadead57d4cd597ef3821d65c328744c74e553dac26d" // 29
        hex"0918d46bf52d98b034413f4a1a1c41594e7a7a3f6ae08cb43d1a2a230e1959ef" // 30
        hex"1bbeb01b4c479ecde76917645e404dfa2e26f90d0afc5a65128513ad375c5ff2" // 31
        hex"2f68a1c58e257e42a17a6c61dff5551ed560b9922ab119d5ac8e184c9734ead9"; // 32

    /// @custom:storage-location erc7201:cloak.storage.MerkleTree
    /// @dev `hasher`, `levels`, `nextIndex`, `rootCount` and `treeNumber` share one slot, read once per insert.
    struct MerkleTreeStorage {
        /// @dev The IPoseidonPathHasher.
        address hasher;
        /// @dev Tree depth, at most MAX_LEVELS; 0 until initialized.
        uint8 levels;
        /// @dev Number of leaves in the current tree, which is also the index the next leaf gets.
        uint32 nextIndex;
        /// @dev Roots recorded so far, in every tree, the first empty tree's included: the current root's sequence
        ///      number. 2^32 transactions are out of reach.
        uint32 rootCount;
        /// @dev The current tree's number, from 0. 2^24 trees of 2^20 leaves are out of reach.
        uint24 treeNumber;
        /// @dev The root after the last insert.
        bytes32 currentRoot;
        /// @dev Root of the last full subtree whose root is a left child at each level (see the contract's @dev).
        mapping(uint256 level => bytes32) filledSubtrees;
        /// @dev Sequence number (1 for the empty tree's root) of every root ever recorded; 0 for any other value.
        ///      A root is known while fewer than `_rootHistorySize()` roots were recorded after it.
        mapping(bytes32 root => uint256 sequence) rootSequence;
        /// @dev The last root of each finished tree, known forever.
        mapping(bytes32 root => bool) isFinalRoot;
        /// @dev Each finished tree's last root, by tree number.
        mapping(uint256 tree => bytes32) finalRoots;
    }

    // keccak256(abi.encode(uint256(keccak256("cloak.storage.MerkleTree")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant MERKLE_TREE_STORAGE_LOCATION =
        0x73c011010e935482ac456528804100de611a71d147ac42e707e1dd33ffa31d00;

    /// @notice `levels` is outside [1, MAX_LEVELS].
    /// @param levels The depth asked for.
    error MerkleTreeInvalidLevels(uint32 levels);
    /// @notice `hasher` is not a contract computing Poseidon(2) with circomlib's parameters through
    ///         `IPoseidonPathHasher`.
    /// @param hasher The address given.
    error MerkleTreeInvalidHasher(address hasher);
    /// @notice The tree was already initialized; initializing it again would drop its leaves.
    error MerkleTreeAlreadyInitialized();
    /// @notice The call to the hasher failed or returned something other than one word.
    /// @param hasher The hasher called.
    error MerkleTreeHasherFailed(address hasher);
    /// @notice `finalRoot` was asked for a tree that is not finished.
    /// @param tree The tree number asked for.
    /// @param current The current tree's number.
    error MerkleTreeNotFinished(uint256 tree, uint256 current);

    /// @notice Tree `tree` is full and will never change: its `finalRoot` stays a known root forever, and the
    ///         next pair of leaves opens tree `tree + 1` at index 0.
    /// @param tree The finished tree's number.
    /// @param finalRoot Its last root.
    event TreeRolledOver(uint256 indexed tree, bytes32 finalRoot);
    /// @notice A leaf or hash input is not below the BN254 scalar field modulus.
    /// @param value The offending value.
    error MerkleTreeValueOutOfField(bytes32 value);
    /// @notice `zeros` was asked for a height above MAX_LEVELS.
    /// @param height The height asked for.
    error MerkleTreeZeroIndexOutOfRange(uint256 height);

    /// @notice Sets the depth and the hasher; the tree starts empty with root `zeros(levels_)`.
    /// @dev Checks that `hasher_` maps (0, 0) to `zeros(1)`, alone and along a path, so a wrong address fails here,
    ///      not at the first deposit. Callable once: a reinitializer cannot reset a tree that holds leaves.
    /// @param levels_ Depth of the tree, in [1, MAX_LEVELS]; the pool's circuit fixes it (20 in production).
    /// @param hasher_ The deployed IPoseidonPathHasher.
    function __MerkleTreeWithHistory_init(uint32 levels_, address hasher_) internal onlyInitializing {
        __MerkleTreeWithHistory_init_unchained(levels_, hasher_);
    }

    /// @notice Same as `__MerkleTreeWithHistory_init`; there is no parent initializer to chain.
    /// @param levels_ Depth of the tree, in [1, MAX_LEVELS].
    /// @param hasher_ The deployed IPoseidonT3 hasher.
    function __MerkleTreeWithHistory_init_unchained(uint32 levels_, address hasher_) internal onlyInitializing {
        MerkleTreeStorage storage $ = _getMerkleTreeStorage();
        if ($.levels != 0) revert MerkleTreeAlreadyInitialized();
        if (levels_ == 0 || levels_ > MAX_LEVELS) revert MerkleTreeInvalidLevels(levels_);
        bytes32 zero = zeros(0);
        (bool success, bytes32 zeroPair) = _tryHash(hasher_, zero, zero);
        if (!success || zeroPair != zeros(1)) revert MerkleTreeInvalidHasher(hasher_);
        uint256[] memory siblings = new uint256[](1);
        siblings[0] = uint256(zeros(1));
        uint256[] memory nodes;
        (success, nodes) = _tryHashPath(hasher_, zero, zero, 0, siblings);
        if (!success || bytes32(nodes[0]) != zeros(1) || bytes32(nodes[1]) != zeros(2)) {
            revert MerkleTreeInvalidHasher(hasher_);
        }

        $.hasher = hasher_;
        $.levels = uint8(levels_);
        _recordRoot($, zeros(levels_), 0);
    }

    /// @notice Appends `leaf1` and `leaf2` at the next two indices and records the new root; when the pair does
    ///         not fit, the current tree is finished first (`TreeRolledOver`) and the pair opens the next one.
    /// @dev Reverts with MerkleTreeValueOutOfField for a leaf at or above the field modulus. Hashes `levels` times,
    ///      in one `hashPath` call (`_hashPathAndStore`), and writes at most one `filledSubtrees` entry.
    /// @param leaf1 The leaf placed at the returned (even) index.
    /// @param leaf2 The leaf placed right after it.
    /// @return tree The number of the tree the pair went into.
    /// @return nextIndex The index of `leaf1` in that tree.
    function _insert(bytes32 leaf1, bytes32 leaf2) internal returns (uint256 tree, uint32 nextIndex) {
        _requireInField(leaf1);
        _requireInField(leaf2);
        MerkleTreeStorage storage $ = _getMerkleTreeStorage();
        address hasher = $.hasher;
        uint32 treeLevels = $.levels;
        nextIndex = $.nextIndex;

        uint256 newSize = uint256(nextIndex) + LEAVES_PER_INSERT;
        if (newSize > _capacity(treeLevels)) {
            _rollOver($);
            nextIndex = 0;
            newSize = LEAVES_PER_INSERT;
        }
        tree = $.treeNumber;

        bytes32 root = _hashPathAndStore($, hasher, leaf1, leaf2, nextIndex >> 1, treeLevels);
        // Fits: `_capacity` never exceeds type(uint32).max.
        $.nextIndex = uint32(newSize);
        _recordRoot($, root, $.rootCount);
    }

    /// @dev Hashes the pair's path and writes the one `filledSubtrees` entry the insert completes. A left node holds
    ///      the newest leaf, so its subtree is full, and its value final, exactly when the bits of `pairIndex` below
    ///      it are all set: the only level written is t + 1 for the count t of trailing ones of `pairIndex`, the only
    ///      value a later right sibling will read there.
    /// @return root The new root, the last node.
    function _hashPathAndStore(
        MerkleTreeStorage storage $,
        address hasher,
        bytes32 left,
        bytes32 right,
        uint256 pairIndex,
        uint256 treeLevels
    ) private returns (bytes32 root) {
        mapping(uint256 => bytes32) storage filled = $.filledSubtrees;
        uint256 filledSlot;
        assembly ("memory-safe") {
            filledSlot := filled.slot
        }
        (bool success, uint256 nodes) = _hashPath(hasher, left, right, pairIndex, treeLevels, filledSlot);
        if (!success) revert MerkleTreeHasherFailed(hasher);
        uint256 storeLevel;
        bytes32 stored;
        assembly ("memory-safe") {
            root := mload(add(nodes, mul(sub(treeLevels, 1), 0x20)))
            let trailingOnes := 0
            for {} and(shr(trailingOnes, pairIndex), 1) {} { trailingOnes := add(trailingOnes, 1) }
            storeLevel := add(trailingOnes, 1)
            stored := mload(add(nodes, mul(trailingOnes, 0x20)))
        }
        if (storeLevel < treeLevels) filled[storeLevel] = stored;
    }

    /// @dev `hasher.hashPath(left, right, pairIndex, siblings)`, encoded and read in place past the free memory
    ///      pointer: the ABI-encoded array round trip cost about 17k gas an insert (docs/evm.md). Each level's
    ///      sibling is `zeros(level)` when the path's node there is a left child (bit level - 1 of `pairIndex`
    ///      clear), else `filledSubtrees[level]` (in the mapping at `filledSlot`).
    /// @return success False when the call reverts or its result is not uint256[treeLevels].
    /// @return nodes Memory address of the returned nodes, from the pair's parent up to the root.
    function _hashPath(address hasher, bytes32 left, bytes32 right, uint256 pairIndex, uint256 treeLevels, uint256 filledSlot)
        private
        view
        returns (bool success, uint256 nodes)
    {
        // Copied to memory once, so each level reads its empty sibling with one mload.
        bytes memory zeroTable = ZERO_TABLE;
        bytes4 selector = IPoseidonPathHasher.hashPath.selector;
        assembly ("memory-safe") {
            let input := mload(0x40)
            // Selector, three words, the array's offset and length (treeLevels - 1), then the siblings.
            mstore(input, selector)
            mstore(add(input, 0x04), left)
            mstore(add(input, 0x24), right)
            mstore(add(input, 0x44), pairIndex)
            mstore(add(input, 0x64), 0x80)
            mstore(add(input, 0x84), sub(treeLevels, 1))
            let word := add(input, 0xa4)
            for { let level := 1 } lt(level, treeLevels) { level := add(level, 1) } {
                switch and(shr(sub(level, 1), pairIndex), 1)
                case 0 { mstore(word, mload(add(zeroTable, mul(add(level, 1), 0x20)))) }
                default {
                    mstore(0x00, level)
                    mstore(0x20, filledSlot)
                    mstore(word, sload(keccak256(0x00, 0x40)))
                }
                word := add(word, 0x20)
            }
            // The result (offset, length, nodes) lands right after the calldata.
            success := staticcall(gas(), hasher, input, sub(word, input), word, mul(add(treeLevels, 2), 0x20))
            success := and(success, eq(returndatasize(), mul(add(treeLevels, 2), 0x20)))
            success := and(success, and(eq(mload(word), 0x20), eq(mload(add(word, 0x20)), treeLevels)))
            nodes := add(word, 0x40)
        }
    }

    /// @notice Whether `root` is the current root or one of the ROOT_HISTORY_SIZE - 1 before it.
    /// @dev Two storage reads whatever the history size: the root's sequence number and the current one.
    /// @param root The root a proof was made against.
    /// @return True when the tree accepts it; always false for 0.
    function isKnownRoot(bytes32 root) public view returns (bool) {
        if (root == 0) return false;
        MerkleTreeStorage storage $ = _getMerkleTreeStorage();
        uint256 sequence = $.rootSequence[root];
        if (sequence != 0 && uint256($.rootCount) < sequence + _rootHistorySize()) return true;
        // Kept apart from `rootSequence`, which a later identical root could overwrite.
        return $.isFinalRoot[root];
    }

    /// @notice The number of the tree new leaves go into; trees before it are finished.
    /// @return The tree number, from 0.
    function currentTreeNumber() public view returns (uint256) {
        return _getMerkleTreeStorage().treeNumber;
    }

    /// @notice The last root of a finished tree, against which its notes stay spendable forever.
    /// @param tree A tree number below `currentTreeNumber()`.
    /// @return The root.
    function finalRoot(uint256 tree) public view returns (bytes32) {
        MerkleTreeStorage storage $ = _getMerkleTreeStorage();
        if (tree >= $.treeNumber) revert MerkleTreeNotFinished(tree, $.treeNumber);
        return $.finalRoots[tree];
    }

    /// @notice The current root.
    /// @return The root after the last insert, or `zeros(levels())` for an empty tree.
    function getLastRoot() public view returns (bytes32) {
        return _getMerkleTreeStorage().currentRoot;
    }

    /// @notice The index the next leaf will get in the current tree, which is also that tree's leaf count.
    /// @return The leaf count.
    function nextLeafIndex() public view returns (uint32) {
        return _getMerkleTreeStorage().nextIndex;
    }

    /// @notice The depth of the tree.
    /// @return The number of levels above the leaves.
    function levels() public view returns (uint32) {
        return _getMerkleTreeStorage().levels;
    }

    /// @notice The Poseidon(2) hasher the tree calls.
    /// @return The IPoseidonT3 address given at initialization.
    function poseidonHasher() public view returns (address) {
        return _getMerkleTreeStorage().hasher;
    }

    /// @notice The root of an empty subtree of height `height`: 0 for a leaf, then Poseidon of two of the level below.
    /// @param height The subtree height, in [0, MAX_LEVELS].
    /// @return The precomputed value, equal to the SDK's `zeroValues(32, poseidon)[height]`.
    function zeros(uint256 height) public pure returns (bytes32) {
        if (height > MAX_LEVELS) revert MerkleTreeZeroIndexOutOfRange(height);
        return _zeroAt(ZERO_TABLE, height);
    }

    /// @notice Poseidon(left, right) through the tree's hasher: the value of a node with these children.
    /// @param left The left child, below the field modulus.
    /// @param right The right child, below the field modulus.
    /// @return The parent node.
    function hashLeftRight(bytes32 left, bytes32 right) public view returns (bytes32) {
        _requireInField(left);
        _requireInField(right);
        return _hash(_getMerkleTreeStorage().hasher, left, right);
    }

    /// @dev How many roots stay known. A virtual hook so a test harness can exercise eviction with a short history;
    ///      production contracts keep ROOT_HISTORY_SIZE.
    function _rootHistorySize() internal view virtual returns (uint256) {
        return ROOT_HISTORY_SIZE;
    }

    /// @dev Finishes the current tree: its root becomes a final root and the next tree starts empty. The stale
    ///      `filledSubtrees` entries need no reset: a right sibling reads its level's entry only after its left
    ///      sibling's subtree filled in the new tree, which overwrote it.
    function _rollOver(MerkleTreeStorage storage $) private {
        uint256 finished = $.treeNumber;
        bytes32 last = $.currentRoot;
        $.isFinalRoot[last] = true;
        $.finalRoots[finished] = last;
        $.treeNumber = uint24(finished + 1);
        emit TreeRolledOver(finished, last);
    }

    /// @dev Makes `root` the current root, with the sequence number after `previousCount`.
    function _recordRoot(MerkleTreeStorage storage $, bytes32 root, uint32 previousCount) private {
        uint32 sequence = previousCount + 1;
        $.rootCount = sequence;
        $.currentRoot = root;
        $.rootSequence[root] = sequence;
    }

    /// @dev Leaves a tree can hold: 2^levels, less at depth 32, where the leaf count must still fit the uint32
    ///      `nextIndex` (so a depth-32 tree rolls over one pair early; 2^31 transactions are out of reach anyway).
    function _capacity(uint32 treeLevels) private pure returns (uint256 capacity) {
        capacity = uint256(1) << treeLevels;
        if (capacity > type(uint32).max) capacity = type(uint32).max;
    }

    /// @dev Poseidon(left, right) through `hasher`, reverting when the call fails. Inputs are not range-checked
    ///      here: callers pass leaves they checked, stored nodes or `zeros`, all field elements.
    function _hash(address hasher, bytes32 left, bytes32 right) private view returns (bytes32 result) {
        bool success;
        (success, result) = _tryHash(hasher, left, right);
        if (!success) revert MerkleTreeHasherFailed(hasher);
    }

    /// @dev Poseidon(left, right) by a static call to `hasher`, encoded in memory past the free memory pointer
    ///      without moving it: an insert hashes `levels` times, and a high-level call would allocate fresh memory
    ///      for each (measured: about 1,100 gas more per hash, docs/evm.md). `success` is false when the call
    ///      reverts or returns anything but one word, which includes an address without code.
    function _tryHash(address hasher, bytes32 left, bytes32 right) private view returns (bool success, bytes32 result) {
        bytes4 selector = IPoseidonT3.hash.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, HASH_LEFT_OFFSET), left)
            mstore(add(ptr, HASH_RIGHT_OFFSET), right)
            success := staticcall(gas(), hasher, ptr, HASH_CALLDATA_SIZE, SCRATCH_SPACE, WORD_SIZE)
            success := and(success, eq(returndatasize(), WORD_SIZE))
            result := mload(SCRATCH_SPACE)
        }
    }

    /// @dev `hasher.hashPath(left, right, index, siblings)`; `success` is false when the call reverts or its result
    ///      is not one node per sibling plus one, which includes an address without code.
    function _tryHashPath(address hasher, bytes32 left, bytes32 right, uint256 index, uint256[] memory siblings)
        private
        view
        returns (bool success, uint256[] memory nodes)
    {
        bytes memory returned;
        (success, returned) = hasher.staticcall(
            abi.encodeCall(IPoseidonPathHasher.hashPath, (uint256(left), uint256(right), index, siblings))
        );
        // An ABI-encoded uint256[] of n + 1 words: offset, length, then the words.
        if (!success || returned.length != (siblings.length + 3) * WORD_SIZE) return (false, nodes);
        nodes = abi.decode(returned, (uint256[]));
        success = nodes.length == siblings.length + 1;
    }

    /// @dev Entry `height` of a memory copy of ZERO_TABLE; `height` must be at most MAX_LEVELS.
    function _zeroAt(bytes memory zeroTable, uint256 height) private pure returns (bytes32 value) {
        assembly ("memory-safe") {
            // Skip the length word, then `height` words.
            value := mload(add(zeroTable, mul(add(height, 1), WORD_SIZE)))
        }
    }

    /// @dev Reverts unless `value` is a BN254 scalar field element.
    function _requireInField(bytes32 value) private pure {
        if (uint256(value) >= SNARK_SCALAR_FIELD) revert MerkleTreeValueOutOfField(value);
    }

    /// @dev The ERC-7201 namespace holding the tree.
    function _getMerkleTreeStorage() private pure returns (MerkleTreeStorage storage $) {
        assembly ("memory-safe") {
            $.slot := MERKLE_TREE_STORAGE_LOCATION
        }
    }
}
