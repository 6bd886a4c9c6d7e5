// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ExitWindowNotElapsed, IOrchestrator, NotInEmergency} from "../interfaces/IOrchestrator.sol";
import {PublicAmount} from "../libraries/PublicAmount.sol";
import {MerkleTreeWithHistory} from "../tree/MerkleTreeWithHistory.sol";

/// @title ShieldPool
/// @notice One shielded pool for one asset (the native coin or an ERC-20). `transact` is the only entry
///         point: a deposit (extAmount > 0), a private transfer (0) or a withdrawal (extAmount < 0), each
///         proven by a join-split proof over this pool's Poseidon Merkle tree. Events carry everything an
///         indexer needs to rebuild the tree, the nullifier set and the encrypted notes from logs alone.
/// @dev Pause state, the verifier, deposit limits and the relayer registry live in the Orchestrator;
///      upgrades follow its rule (`upgradeVerdict`): UPGRADER_ROLE after the exit window, or the security
///      council during the global pause. Reentrancy is blocked with transient storage, which
///      keeps the guard out of the proxy's storage layout.
contract ShieldPool is Initializable, UUPSUpgradeable, MerkleTreeWithHistory, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice BN254 scalar field modulus: public inputs and hashes live below it.
    uint256 public constant FIELD_SIZE = PublicAmount.FIELD_SIZE;
    /// @notice Bound on |extAmount| and on fee; with the circuit's 248-bit note amounts no sum can wrap the field.
    uint256 public constant MAX_EXT_AMOUNT = PublicAmount.MAX_EXT_AMOUNT;
    /// @notice Depth of the production tree; must match the circuit the verifier was made for.
    uint32 public constant TREE_LEVELS = 20;

    /// @notice A join-split proof and the public inputs the pool does not derive itself.
    struct Proof {
        uint256[2] pA;
        uint256[2][2] pB;
        uint256[2] pC;
        bytes32 root;
        bytes32[2] inputNullifiers;
        bytes32[2] outputCommitments;
    }

    /// @notice The public part of a transaction; its hash is a public input of the proof (docs/protocol.md).
    struct ExtData {
        uint256 chainId;
        address pool;
        address recipient;
        int256 extAmount;
        address relayer;
        uint256 fee;
        bytes encryptedOutput1;
        bytes encryptedOutput2;
    }

    /// @custom:storage-location erc7201:cloak.storage.ShieldPool
    struct ShieldPoolStorage {
        IOrchestrator orchestrator;
        IERC20 token; // address(0) for the native coin
        mapping(bytes32 nullifier => bool) nullifierSpent;
    }

    // keccak256(abi.encode(uint256(keccak256("cloak.storage.ShieldPool")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant SHIELD_POOL_STORAGE_LOCATION =
        0xaa54e94aa1ceefe6b91e7ac773145a386c9a345b411e662c165ddf4976585000;

    /// @notice A zero address was given where one is required.
    error ZeroAddress(string field);
    /// @notice The pool, or every pool, is paused.
    error PoolIsPaused();
    /// @notice extData was made for another chain or pool.
    error WrongDomain(uint256 chainId, address pool);
    /// @notice The proof's root is neither among the last ROOT_HISTORY_SIZE roots nor a finished tree's final root.
    error UnknownRoot(bytes32 root);
    /// @notice A nullifier was already spent: a double spend or a replayed proof.
    error NullifierAlreadySpent(bytes32 nullifier);
    /// @notice |extAmount| or fee is not below MAX_EXT_AMOUNT.
    error AmountOutOfRange(string field);
    /// @notice The deposit exceeds the pool's limit.
    error DepositLimitExceeded(uint256 amount, uint256 limit);
    /// @notice A fee is paid only to a relayer registered in the Orchestrator.
    error RelayerNotRegistered(address relayer);
    /// @notice A withdrawal needs a recipient.
    error MissingRecipient();
    /// @notice msg.value does not match the native deposit (or is sent to an ERC-20 pool / non-deposit).
    error WrongValue(uint256 sent, uint256 expected);
    /// @notice The token delivered less than transferred (a fee-on-transfer or rebasing token): refused.
    error UnsupportedToken(uint256 received, uint256 expected);
    /// @notice The Groth16 proof does not verify.
    error InvalidProof();
    /// @notice A native-coin payment failed.
    error PaymentFailed(address to, uint256 amount);
    /// @notice The caller holds neither the Orchestrator's upgrader role nor, during an emergency, its council role.
    error NotUpgrader(address caller);

    /// @notice A new note commitment was appended at leaf `index` of tree `tree` (a leaf is identified by
    ///         pool, tree and index); `encryptedOutput` lets its owner find it.
    event NewCommitment(bytes32 indexed commitment, uint256 indexed tree, uint256 indexed index, bytes encryptedOutput);
    /// @notice A note was spent.
    event NewNullifier(bytes32 indexed nullifier);
    /// @notice A transaction settled: the public movement of value. `recipient` is address(0) unless value
    ///         left the pool (extAmount < 0) and `relayer` is address(0) unless a fee was paid: only addresses
    ///         that received something are logged, so indexers never read an unverified one.
    event Transact(int256 extAmount, uint256 fee, address indexed recipient, address indexed relayer, bytes32 newRoot);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets up the proxy.
    /// @param orchestrator_ The Orchestrator that governs this pool.
    /// @param token_ The pool's ERC-20, or address(0) for the native coin.
    /// @param hasher The Poseidon(2) hasher the tree uses.
    function initialize(IOrchestrator orchestrator_, IERC20 token_, address hasher) external initializer {
        if (address(orchestrator_) == address(0)) revert ZeroAddress("orchestrator");
        __MerkleTreeWithHistory_init(TREE_LEVELS, hasher);
        ShieldPoolStorage storage $ = _storage();
        $.orchestrator = orchestrator_;
        $.token = token_;
    }

    /// @notice Deposits, transfers privately or withdraws, as proven.
    /// @param proof The join-split proof with its root, nullifiers and output commitments.
    /// @param extData The public part; `pool` and `chainId` must name this pool on this chain.
    function transact(Proof calldata proof, ExtData calldata extData) external payable nonReentrant {
        ShieldPoolStorage storage $ = _storage();
        IOrchestrator.TransactContext memory state =
            $.orchestrator.transactContext(extData.fee > 0 ? extData.relayer : address(0));

        // Checks
        if (state.paused) revert PoolIsPaused();
        if (extData.chainId != block.chainid || extData.pool != address(this)) {
            revert WrongDomain(extData.chainId, extData.pool);
        }
        if (!isKnownRoot(proof.root)) revert UnknownRoot(proof.root);
        for (uint256 i = 0; i < 2; ++i) {
            if ($.nullifierSpent[proof.inputNullifiers[i]]) revert NullifierAlreadySpent(proof.inputNullifiers[i]);
        }
        uint256 publicAmount_ = _checkedPublicAmount(extData, state.depositLimit);
        if (extData.fee > 0 && !state.relayerRegistered) {
            revert RelayerNotRegistered(extData.relayer);
        }
        uint256[7] memory signals = [
            uint256(proof.root),
            publicAmount_,
            hashExtData(extData),
            uint256(proof.inputNullifiers[0]),
            uint256(proof.inputNullifiers[1]),
            uint256(proof.outputCommitments[0]),
            uint256(proof.outputCommitments[1])
        ];
        if (!state.verifier.verifyProof(proof.pA, proof.pB, proof.pC, signals)) revert InvalidProof();

        // Effects
        for (uint256 i = 0; i < 2; ++i) {
            $.nullifierSpent[proof.inputNullifiers[i]] = true;
            emit NewNullifier(proof.inputNullifiers[i]);
        }
        (uint256 tree, uint32 index) = _insert(proof.outputCommitments[0], proof.outputCommitments[1]);
        emit NewCommitment(proof.outputCommitments[0], tree, index, extData.encryptedOutput1);
        emit NewCommitment(proof.outputCommitments[1], tree, index + 1, extData.encryptedOutput2);
        emit Transact(
            extData.extAmount,
            extData.fee,
            extData.extAmount < 0 ? extData.recipient : address(0),
            extData.fee > 0 ? extData.relayer : address(0),
            getLastRoot()
        );

        // Interactions
        if (extData.extAmount > 0) {
            _pull(uint256(extData.extAmount));
        } else if (msg.value != 0) {
            revert WrongValue(msg.value, 0);
        }
        if (extData.extAmount < 0) _pay(extData.recipient, uint256(-extData.extAmount));
        if (extData.fee > 0) _pay(extData.relayer, extData.fee);
    }

    /// @notice extDataHash = keccak256(abi.encode(extData)) mod p, as the SDK's `hashEvmExtData` computes it.
    /// @param extData The transaction's public part.
    /// @return The field element the proof commits to.
    function hashExtData(ExtData calldata extData) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(extData))) % FIELD_SIZE;
    }

    /// @notice Whether a nullifier has been spent.
    /// @param nullifier The nullifier.
    /// @return True when spent.
    function isSpent(bytes32 nullifier) external view returns (bool) {
        return _storage().nullifierSpent[nullifier];
    }

    /// @notice The Orchestrator governing this pool.
    /// @return The Orchestrator.
    function orchestrator() external view returns (IOrchestrator) {
        return _storage().orchestrator;
    }

    /// @notice The pool's asset; address(0) for the native coin.
    /// @return The token.
    function token() external view returns (IERC20) {
        return _storage().token;
    }

    /// @dev publicAmount = (extAmount - fee) mod p, after bounding both so no wrap-around is possible.
    function _checkedPublicAmount(ExtData calldata extData, uint256 limit) private pure returns (uint256) {
        int256 extAmount = extData.extAmount;
        if (!PublicAmount.inRange(extAmount, 0)) revert AmountOutOfRange("extAmount");
        if (!PublicAmount.inRange(0, extData.fee)) revert AmountOutOfRange("fee");
        if (extAmount > 0 && uint256(extAmount) > limit) revert DepositLimitExceeded(uint256(extAmount), limit);
        if (extAmount < 0 && extData.recipient == address(0)) revert MissingRecipient();
        return PublicAmount.compute(extAmount, extData.fee);
    }

    function _pull(uint256 amount) private {
        IERC20 token_ = _storage().token;
        if (address(token_) == address(0)) {
            if (msg.value != amount) revert WrongValue(msg.value, amount);
            return;
        }
        if (msg.value != 0) revert WrongValue(msg.value, 0);
        uint256 before = token_.balanceOf(address(this));
        token_.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token_.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(received, amount);
    }

    function _pay(address to, uint256 amount) private {
        IERC20 token_ = _storage().token;
        if (address(token_) == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert PaymentFailed(to, amount);
        } else {
            token_.safeTransfer(to, amount);
        }
    }

    function _authorizeUpgrade(address) internal view override {
        (IOrchestrator.UpgradeVerdict verdict, uint256 executableAt) = _storage().orchestrator.upgradeVerdict(msg.sender);
        if (verdict == IOrchestrator.UpgradeVerdict.Unauthorized) revert NotUpgrader(msg.sender);
        if (verdict == IOrchestrator.UpgradeVerdict.NoEmergency) revert NotInEmergency();
        if (verdict == IOrchestrator.UpgradeVerdict.ExitWindowOpen) revert ExitWindowNotElapsed(executableAt);
    }

    function _storage() private pure returns (ShieldPoolStorage storage $) {
        assembly {
            $.slot := SHIELD_POOL_STORAGE_LOCATION
        }
    }
}
