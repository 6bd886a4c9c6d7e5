// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ITransactionVerifier} from "./ITransactionVerifier.sol";

/// @title IOrchestrator
/// @notice What shield pools read from the Orchestrator on every transaction, and the roles they check.
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

    /// @notice The operating state of `pool`; reverts for an unregistered pool.
    /// @param pool The pool asking.
    /// @return state Its paused flag, verifier and deposit limit.
    function poolState(address pool) external view returns (PoolState memory state);

    /// @notice Whether `relayer` may receive fees.
    /// @param relayer The address named in a transaction's extData.
    /// @return True when registered.
    function isRelayer(address relayer) external view returns (bool);

    /// @notice The role allowed to upgrade the Orchestrator and every pool.
    /// @return The role identifier.
    function UPGRADER_ROLE() external view returns (bytes32);
}
