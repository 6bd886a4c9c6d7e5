// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ITransactionVerifier} from "./ITransactionVerifier.sol";

/// @notice A change to what proofs are accepted or what code runs was attempted before every user had an
///         unpaused exit window of `EXIT_WINDOW` right before it (docs/governance.md).
/// @param executableAt The first timestamp at which it can run; type(uint256).max while any pool is paused.
error ExitWindowNotElapsed(uint256 executableAt);

/// @notice The security council's emergency power was used while the global pause is off.
error NotInEmergency();

/// @title IOrchestrator
/// @notice What shield pools read from the Orchestrator on every transaction and on an upgrade.
interface IOrchestrator is IAccessControl {
    /// @notice A pool's current operating state, read in one call per transaction.
    /// @param paused Whether the pool (or every pool) is paused.
    /// @param verifier The verifier currently registered for the join-split circuit.
    /// @param depositLimit The largest single deposit the pool accepts.
    struct PoolState {
        bool paused;
        ITransactionVerifier verifier;
        uint256 depositLimit;
    }

    /// @notice What a pool's `transact` reads, in one call: its state and whether the fee's relayer is registered.
    /// @param paused Whether the pool (or every pool) is paused.
    /// @param verifier The verifier currently registered for the join-split circuit.
    /// @param depositLimit The largest single deposit the pool accepts.
    /// @param relayerRegistered Whether the relayer asked about is registered; false for address(0).
    struct TransactContext {
        bool paused;
        ITransactionVerifier verifier;
        uint256 depositLimit;
        bool relayerRegistered;
    }

    /// @notice The verdict on a caller asking to upgrade the Orchestrator or a pool.
    /// @dev Unauthorized: neither UPGRADER_ROLE nor, during an emergency, SECURITY_COUNCIL_ROLE.
    ///      NoEmergency: only SECURITY_COUNCIL_ROLE, and the global pause is off.
    ///      ExitWindowOpen: UPGRADER_ROLE, but the exit window has not elapsed.
    enum UpgradeVerdict {
        Allowed,
        Unauthorized,
        NoEmergency,
        ExitWindowOpen
    }

    /// @notice The operating state of `pool`; reverts for an unregistered pool.
    /// @param pool The pool asking.
    /// @return state Its paused flag, verifier and deposit limit.
    function poolState(address pool) external view returns (PoolState memory state);

    /// @notice The calling pool's state and whether `relayer` may receive fees; reverts unless the caller is a
    ///         registered pool.
    /// @param relayer The relayer a transaction pays, or address(0) when it pays none (not looked up).
    /// @return context What `transact` checks.
    function transactContext(address relayer) external view returns (TransactContext memory context);

    /// @notice Whether `relayer` may receive fees.
    /// @param relayer The address named in a transaction's extData.
    /// @return True when registered.
    function isRelayer(address relayer) external view returns (bool);

    /// @notice Whether `caller` may upgrade the Orchestrator or a pool now; one rule for every proxy.
    /// @param caller The account calling `upgradeToAndCall`.
    /// @return verdict Allowed, or why not.
    /// @return executableAt The value of `changesExecutableAt()`, the argument of ExitWindowNotElapsed.
    function upgradeVerdict(address caller) external view returns (UpgradeVerdict verdict, uint256 executableAt);
}
