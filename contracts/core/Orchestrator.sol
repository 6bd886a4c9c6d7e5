// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ExitWindowNotElapsed, IOrchestrator, NotInEmergency} from "../interfaces/IOrchestrator.sol";
import {ITransactionVerifier} from "../interfaces/ITransactionVerifier.sol";

/// @dev The two getters `registerPool` reads from a candidate pool.
interface IPoolIdentity {
    /// @notice The pool's Orchestrator.
    /// @return The address.
    function orchestrator() external view returns (address);
    /// @notice The pool's asset.
    /// @return The address; address(0) for the native coin.
    function token() external view returns (address);
}

/// @title Orchestrator
/// @notice Cloak's control plane on the EVM: the registry of shield pools, their pause switches, the
///         relayers allowed to earn fees, the join-split verifier and the per-pool deposit limits.
/// @dev Roles (see docs/governance.md for who holds each):
///      - DEFAULT_ADMIN_ROLE: grants and revokes roles (standard timelock).
///      - GOVERNOR_ROLE: verifier rotation, deposit limits, pool registration, token rescue (standard timelock).
///      - UPGRADER_ROLE: upgrades of this proxy and of every pool (standard timelock).
///      - GUARDIAN_ROLE: pause at once (the Safe, optionally a monitoring key).
///      - GUARDIAN_REVOKER_ROLE: revoke a guardian at once, never grant (the Safe, the emergency timelock).
///      - UNPAUSER_ROLE: unpause (emergency timelock only).
///      - RELAYER_MANAGER_ROLE: add, remove and rotate relayers at once (the Safe; runbook EP-002).
///      - SECURITY_COUNCIL_ROLE: rotate the verifier or upgrade without the exit window, only while the global
///        pause is on (a separate council Safe, held directly).
///
///      Exit window: a verifier rotation or an upgrade by the timelocked roles runs only once no pool has been
///      paused for EXIT_WINDOW, so every user could withdraw during the whole delay right before the change.
///      Granting SECURITY_COUNCIL_ROLE, which bypasses that rule, obeys it too once a pool exists.
contract Orchestrator is Initializable, AccessControlUpgradeable, UUPSUpgradeable, IOrchestrator {
    using SafeERC20 for IERC20;

    /// @notice Role that rotates the verifier, sets limits, registers pools and rescues tokens.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Role that upgrades this proxy and every pool, after the exit window.
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    /// @notice Role that pauses a pool or all pools immediately.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice Role that lifts a pause.
    bytes32 public constant UNPAUSER_ROLE = keccak256("UNPAUSER_ROLE");
    /// @notice Role that manages the relayer registry.
    bytes32 public constant RELAYER_MANAGER_ROLE = keccak256("RELAYER_MANAGER_ROLE");
    /// @notice Role that revokes GUARDIAN_ROLE at once, so one leaked monitoring key cannot keep re-pausing.
    bytes32 public constant GUARDIAN_REVOKER_ROLE = keccak256("GUARDIAN_REVOKER_ROLE");
    /// @notice Role that may rotate the verifier or upgrade without the exit window, only during the global pause.
    bytes32 public constant SECURITY_COUNCIL_ROLE = keccak256("SECURITY_COUNCIL_ROLE");
    /// @notice How long every pool must have been unpaused before a verifier rotation or upgrade can run.
    /// @dev A constant, not a parameter: governance cannot shorten the users' guarantee.
    uint256 public constant EXIT_WINDOW = 48 hours;

    /// @custom:storage-location erc7201:cloak.storage.Orchestrator
    /// @dev A registered pool's switches and limit, packed into one slot.
    struct PoolConfig {
        bool registered;
        bool paused;
        uint240 depositLimit;
    }

    struct OrchestratorStorage {
        ITransactionVerifier verifier;
        bool allPaused;
        address[] pools;
        // One slot per pool, so a transaction's `transactContext` reads the pool's whole configuration at once.
        mapping(address pool => PoolConfig) poolConfig;
        mapping(address pool => address) poolAsset;
        address[] relayers;
        mapping(address relayer => uint256) relayerSlot; // index in `relayers` + 1; 0 = not registered
        uint256 pausedPoolCount; // pools whose own switch is on; with `allPaused`, whether anything is paused
        uint256 unpausedSince; // when the last pause lifted (or initialization): the exit window's start
    }

    // keccak256(abi.encode(uint256(keccak256("cloak.storage.Orchestrator")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant ORCHESTRATOR_STORAGE_LOCATION =
        0x117df8395c1c545ab300657a0e40bb8132917972bc516e3fb9f42339a3ff7900;

    /// @notice A zero address was given where a contract or account is required.
    /// @param field The parameter's name.
    error ZeroAddress(string field);
    /// @notice The pool is not registered.
    error UnknownPool(address pool);
    /// @notice The pool is already registered.
    error PoolAlreadyRegistered(address pool);
    /// @notice The relayer is already registered.
    error RelayerAlreadyRegistered(address relayer);
    /// @notice The relayer is not registered.
    error UnknownRelayer(address relayer);
    /// @notice The token is a pool asset, which can never be rescued.
    error TokenIsPoolAsset(address token);
    /// @notice A deposit limit above what the Orchestrator stores.
    /// @param limit The limit given.
    /// @param max The largest limit accepted, type(uint240).max.
    error DepositLimitTooLarge(uint256 limit, uint256 max);
    /// @notice The call would not change any state.
    error NoChange();
    /// @notice The pool's asset is not the one given to `registerPool`.
    /// @param pool The pool.
    /// @param expected The asset given.
    /// @param actual The pool's `token()`.
    error PoolAssetMismatch(address pool, address expected, address actual);
    /// @notice The pool is governed by another Orchestrator (or answers no `orchestrator()` call: address(0)).
    /// @param pool The pool.
    /// @param actual The pool's `orchestrator()`.
    error PoolOrchestratorMismatch(address pool, address actual);

    /// @notice A pool joined the registry.
    event PoolRegistered(address indexed pool, address indexed asset, uint256 depositLimit);
    /// @notice A pool was paused.
    event PoolPaused(address indexed pool, address indexed by);
    /// @notice A pool was unpaused.
    event PoolUnpaused(address indexed pool, address indexed by);
    /// @notice Every pool was paused.
    event AllPaused(address indexed by);
    /// @notice The global pause was lifted.
    event AllUnpaused(address indexed by);
    /// @notice The join-split verifier changed through the timelock (runbook EP-003).
    event VerifierRotated(address indexed previous, address indexed current);
    /// @notice The security council replaced the verifier during the global pause, without the exit window.
    event EmergencyVerifierRotated(address indexed previous, address indexed current, address indexed by);
    /// @notice A pool's deposit limit changed.
    event DepositLimitChanged(address indexed pool, uint256 previous, uint256 current);
    /// @notice A relayer was registered.
    event RelayerAdded(address indexed relayer);
    /// @notice A relayer was removed.
    event RelayerRemoved(address indexed relayer);
    /// @notice A relayer was replaced by another in one step (runbook EP-002).
    event RelayerRotated(address indexed previous, address indexed current);
    /// @notice Tokens sent to this contract by mistake were returned (runbook EP-004).
    event TokensRescued(address indexed token, address indexed to, uint256 amount);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets up the proxy.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (the standard timelock in production).
    /// @param verifier_ The initial join-split verifier.
    function initialize(address admin, ITransactionVerifier verifier_) external initializer {
        if (admin == address(0)) revert ZeroAddress("admin");
        if (address(verifier_) == address(0)) revert ZeroAddress("verifier");
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        OrchestratorStorage storage $ = _storage();
        $.verifier = verifier_;
        $.unpausedSince = block.timestamp;
        emit VerifierRotated(address(0), address(verifier_));
    }

    // ---------------------------------------------------------------- pools

    /// @notice Adds a pool to the registry.
    /// @dev The pool must name this contract as its Orchestrator and `asset` as its token, so the recorded asset
    ///      (which `rescueTokens` protects) is the one the pool really holds.
    /// @param pool The ShieldPool proxy.
    /// @param asset The pool's asset (address(0) for the native coin), recorded so it is never rescued.
    /// @param depositLimit_ The largest single deposit it accepts.
    function registerPool(address pool, address asset, uint256 depositLimit_) external onlyRole(GOVERNOR_ROLE) {
        if (pool == address(0)) revert ZeroAddress("pool");
        OrchestratorStorage storage $ = _storage();
        if ($.poolConfig[pool].registered) revert PoolAlreadyRegistered(pool);
        _requireStorableLimit(depositLimit_);
        // The orchestrator is checked first: an address without code answers nothing, read as address(0),
        // which would otherwise pass for a native pool's asset.
        address poolOrchestrator = _readAddress(pool, IPoolIdentity.orchestrator.selector);
        if (poolOrchestrator != address(this)) revert PoolOrchestratorMismatch(pool, poolOrchestrator);
        address poolToken = _readAddress(pool, IPoolIdentity.token.selector);
        if (poolToken != asset) revert PoolAssetMismatch(pool, asset, poolToken);
        $.poolConfig[pool] = PoolConfig({registered: true, paused: false, depositLimit: uint240(depositLimit_)});
        $.pools.push(pool);
        $.poolAsset[pool] = asset;
        emit PoolRegistered(pool, asset, depositLimit_);
    }

    /// @notice Every registered pool, in registration order.
    /// @return The pool addresses.
    function pools() external view returns (address[] memory) {
        return _storage().pools;
    }

    /// @notice Whether `pool` is registered.
    /// @param pool The address to check.
    /// @return True when registered.
    function isPool(address pool) external view returns (bool) {
        return _storage().poolConfig[pool].registered;
    }

    /// @inheritdoc IOrchestrator
    function poolState(address pool) external view returns (PoolState memory state) {
        OrchestratorStorage storage $ = _storage();
        PoolConfig memory config = $.poolConfig[pool];
        if (!config.registered) revert UnknownPool(pool);
        state = PoolState({paused: $.allPaused || config.paused, verifier: $.verifier, depositLimit: config.depositLimit});
    }

    /// @inheritdoc IOrchestrator
    function transactContext(address relayer) external view returns (TransactContext memory context) {
        OrchestratorStorage storage $ = _storage();
        PoolConfig memory config = $.poolConfig[msg.sender];
        if (!config.registered) revert UnknownPool(msg.sender);
        context = TransactContext({
            paused: $.allPaused || config.paused,
            verifier: $.verifier,
            depositLimit: config.depositLimit,
            relayerRegistered: relayer != address(0) && $.relayerSlot[relayer] != 0
        });
    }

    /// @notice Sets a pool's largest single deposit (a timelocked parameter).
    /// @param pool The pool.
    /// @param limit The new limit.
    function setDepositLimit(address pool, uint256 limit) external onlyRole(GOVERNOR_ROLE) {
        OrchestratorStorage storage $ = _requirePool(pool);
        _requireStorableLimit(limit);
        uint256 previous = $.poolConfig[pool].depositLimit;
        $.poolConfig[pool].depositLimit = uint240(limit);
        emit DepositLimitChanged(pool, previous, limit);
    }

    /// @notice A pool's largest single deposit.
    /// @param pool The pool.
    /// @return The limit.
    function depositLimit(address pool) external view returns (uint256) {
        return _storage().poolConfig[pool].depositLimit;
    }

    // ---------------------------------------------------------------- pause

    /// @notice Pauses one pool at once (runbook EP-001).
    /// @param pool The pool to stop.
    function pause(address pool) external onlyRole(GUARDIAN_ROLE) {
        OrchestratorStorage storage $ = _requirePool(pool);
        if ($.poolConfig[pool].paused) revert NoChange();
        $.poolConfig[pool].paused = true;
        ++$.pausedPoolCount;
        emit PoolPaused(pool, msg.sender);
    }

    /// @notice Pauses every pool at once (runbook EP-001).
    function pauseAll() external onlyRole(GUARDIAN_ROLE) {
        OrchestratorStorage storage $ = _storage();
        if ($.allPaused) revert NoChange();
        $.allPaused = true;
        emit AllPaused(msg.sender);
    }

    /// @notice Lifts one pool's own pause (runbook RP-001; through the emergency timelock).
    /// @param pool The pool to resume.
    function unpause(address pool) external onlyRole(UNPAUSER_ROLE) {
        OrchestratorStorage storage $ = _requirePool(pool);
        if (!$.poolConfig[pool].paused) revert NoChange();
        $.poolConfig[pool].paused = false;
        --$.pausedPoolCount;
        _restartExitWindowIfUnpaused($);
        emit PoolUnpaused(pool, msg.sender);
    }

    /// @notice Lifts the global pause; pools paused one by one stay paused.
    function unpauseAll() external onlyRole(UNPAUSER_ROLE) {
        OrchestratorStorage storage $ = _storage();
        if (!$.allPaused) revert NoChange();
        $.allPaused = false;
        _restartExitWindowIfUnpaused($);
        emit AllUnpaused(msg.sender);
    }

    /// @notice Whether `pool` is paused, by its own switch or the global one.
    /// @param pool The pool.
    /// @return True when paused.
    function isPaused(address pool) external view returns (bool) {
        OrchestratorStorage storage $ = _storage();
        return $.allPaused || $.poolConfig[pool].paused;
    }

    /// @notice Whether the global pause is on.
    /// @return True when every pool is paused.
    function allPaused() external view returns (bool) {
        return _storage().allPaused;
    }

    // ---------------------------------------------------------------- exit window

    /// @notice Since when no pool has been paused: the start of the current exit window.
    /// @return A timestamp; meaningless while `changesExecutableAt()` is type(uint256).max.
    function unpausedSince() external view returns (uint256) {
        return _storage().unpausedSince;
    }

    /// @notice The first timestamp at which a verifier rotation or an upgrade by the timelocked roles can run.
    /// @return `unpausedSince() + EXIT_WINDOW`, or type(uint256).max while any pool is paused.
    function changesExecutableAt() public view returns (uint256) {
        OrchestratorStorage storage $ = _storage();
        if (_anyPaused($)) return type(uint256).max;
        return $.unpausedSince + EXIT_WINDOW;
    }

    /// @inheritdoc IOrchestrator
    function upgradeVerdict(address caller) public view returns (UpgradeVerdict verdict, uint256 executableAt) {
        executableAt = changesExecutableAt();
        bool council = hasRole(SECURITY_COUNCIL_ROLE, caller);
        if (council && _storage().allPaused) return (UpgradeVerdict.Allowed, executableAt);
        if (!hasRole(UPGRADER_ROLE, caller)) {
            return (council ? UpgradeVerdict.NoEmergency : UpgradeVerdict.Unauthorized, executableAt);
        }
        if (block.timestamp < executableAt) return (UpgradeVerdict.ExitWindowOpen, executableAt);
        return (UpgradeVerdict.Allowed, executableAt);
    }

    // ---------------------------------------------------------------- guardians

    /// @notice Takes GUARDIAN_ROLE from `account` at once (AccessControl's RoleRevoked event), so a leaked
    ///         monitoring key cannot re-pause after every unpause. The role can only revoke, never grant.
    /// @param account The guardian to remove.
    function revokeGuardian(address account) external onlyRole(GUARDIAN_REVOKER_ROLE) {
        if (!_revokeRole(GUARDIAN_ROLE, account)) revert NoChange();
    }

    // ---------------------------------------------------------------- verifier

    /// @notice Replaces the join-split verifier (runbook EP-003; a timelocked operation). Runs only after the
    ///         exit window: no pool paused during the EXIT_WINDOW right before it.
    /// @param verifier_ The new verifier, exported by a finished ceremony.
    function setVerifier(ITransactionVerifier verifier_) external onlyRole(GOVERNOR_ROLE) {
        _requireExitWindowElapsed();
        address previous = _replaceVerifier(verifier_);
        emit VerifierRotated(previous, address(verifier_));
    }

    /// @notice Replaces the verifier without the exit window, to stop a live exploit of the current one. Only
    ///         the security council, and only while the global pause is on.
    /// @param verifier_ The fixed verifier.
    function emergencySetVerifier(ITransactionVerifier verifier_) external onlyRole(SECURITY_COUNCIL_ROLE) {
        if (!_storage().allPaused) revert NotInEmergency();
        address previous = _replaceVerifier(verifier_);
        emit EmergencyVerifierRotated(previous, address(verifier_), msg.sender);
    }

    /// @notice The verifier pools use now.
    /// @return The verifier contract.
    function verifier() external view returns (ITransactionVerifier) {
        return _storage().verifier;
    }

    // ---------------------------------------------------------------- relayers

    /// @notice Registers a relayer that may receive fees.
    /// @param relayer The relayer's fee address.
    function addRelayer(address relayer) external onlyRole(RELAYER_MANAGER_ROLE) {
        _addRelayer(relayer);
        emit RelayerAdded(relayer);
    }

    /// @notice Removes a relayer at once (runbook EP-002).
    /// @param relayer The relayer to remove.
    function removeRelayer(address relayer) external onlyRole(RELAYER_MANAGER_ROLE) {
        _removeRelayer(relayer);
        emit RelayerRemoved(relayer);
    }

    /// @notice Replaces a compromised or retired relayer in one transaction (runbook EP-002).
    /// @param previous The relayer to remove.
    /// @param current The relayer to add.
    function rotateRelayer(address previous, address current) external onlyRole(RELAYER_MANAGER_ROLE) {
        _removeRelayer(previous);
        _addRelayer(current);
        emit RelayerRotated(previous, current);
    }

    /// @inheritdoc IOrchestrator
    function isRelayer(address relayer) external view returns (bool) {
        return _storage().relayerSlot[relayer] != 0;
    }

    /// @notice Every registered relayer.
    /// @return The relayer addresses (order changes on removal).
    function relayers() external view returns (address[] memory) {
        return _storage().relayers;
    }

    // ---------------------------------------------------------------- rescue

    /// @notice Returns tokens sent to this contract by mistake (runbook EP-004; timelocked). Pool assets
    ///         are refused, so governance can never touch what the pools hold for users.
    /// @param token The ERC-20 to return.
    /// @param to The recipient.
    /// @param amount How much.
    function rescueTokens(IERC20 token, address to, uint256 amount) external onlyRole(GOVERNOR_ROLE) {
        if (to == address(0)) revert ZeroAddress("to");
        OrchestratorStorage storage $ = _storage();
        uint256 count = $.pools.length;
        for (uint256 i = 0; i < count; ++i) {
            if ($.poolAsset[$.pools[i]] == address(token)) revert TokenIsPoolAsset(address(token));
        }
        emit TokensRescued(address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Granting SECURITY_COUNCIL_ROLE hands out the power to skip the exit window, so once a pool exists it
    ///      obeys the window itself; otherwise a timelocked grant executed during a pause would be the very
    ///      bypass the window forbids. Before the first pool is registered no user can hold funds.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role == SECURITY_COUNCIL_ROLE && _storage().pools.length != 0) _requireExitWindowElapsed();
        return super._grantRole(role, account);
    }

    function _replaceVerifier(ITransactionVerifier verifier_) private returns (address previous) {
        if (address(verifier_) == address(0)) revert ZeroAddress("verifier");
        OrchestratorStorage storage $ = _storage();
        previous = address($.verifier);
        if (previous == address(verifier_)) revert NoChange();
        $.verifier = verifier_;
    }

    function _requireExitWindowElapsed() private view {
        uint256 executableAt = changesExecutableAt();
        if (block.timestamp < executableAt) revert ExitWindowNotElapsed(executableAt);
    }

    function _anyPaused(OrchestratorStorage storage $) private view returns (bool) {
        return $.allPaused || $.pausedPoolCount != 0;
    }

    /// @dev The window restarts only when the last pause lifts: time spent with any pool paused never counts.
    function _restartExitWindowIfUnpaused(OrchestratorStorage storage $) private {
        if (!_anyPaused($)) $.unpausedSince = block.timestamp;
    }

    /// @dev An address-returning getter of `target`, or address(0) when the call fails or returns anything else.
    function _readAddress(address target, bytes4 selector) private view returns (address value) {
        (bool success, bytes memory data) = target.staticcall(abi.encodeWithSelector(selector));
        if (success && data.length == 32) value = abi.decode(data, (address));
    }

    function _addRelayer(address relayer) private {
        if (relayer == address(0)) revert ZeroAddress("relayer");
        OrchestratorStorage storage $ = _storage();
        if ($.relayerSlot[relayer] != 0) revert RelayerAlreadyRegistered(relayer);
        $.relayers.push(relayer);
        $.relayerSlot[relayer] = $.relayers.length;
    }

    function _removeRelayer(address relayer) private {
        OrchestratorStorage storage $ = _storage();
        uint256 slot = $.relayerSlot[relayer];
        if (slot == 0) revert UnknownRelayer(relayer);
        // Swap-and-pop keeps removal O(1); the registry is a set, its order carries no meaning.
        address last = $.relayers[$.relayers.length - 1];
        $.relayers[slot - 1] = last;
        $.relayerSlot[last] = slot;
        $.relayers.pop();
        delete $.relayerSlot[relayer];
    }

    function _requirePool(address pool) private view returns (OrchestratorStorage storage $) {
        $ = _storage();
        if (!$.poolConfig[pool].registered) revert UnknownPool(pool);
    }

    /// @dev A deposit limit is stored in 240 bits beside the pool's switches; larger ones mean nothing anyway, since
    ///      a pool refuses any amount of 2^248 or more (PublicAmount).
    function _requireStorableLimit(uint256 limit) private pure {
        if (limit > type(uint240).max) revert DepositLimitTooLarge(limit, type(uint240).max);
    }

    function _authorizeUpgrade(address) internal view override {
        (UpgradeVerdict verdict, uint256 executableAt) = upgradeVerdict(msg.sender);
        if (verdict == UpgradeVerdict.Unauthorized) revert AccessControlUnauthorizedAccount(msg.sender, UPGRADER_ROLE);
        if (verdict == UpgradeVerdict.NoEmergency) revert NotInEmergency();
        if (verdict == UpgradeVerdict.ExitWindowOpen) revert ExitWindowNotElapsed(executableAt);
    }

    function _storage() private pure returns (OrchestratorStorage storage $) {
        assembly {
            $.slot := ORCHESTRATOR_STORAGE_LOCATION
        }
    }
}
