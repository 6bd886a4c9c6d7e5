// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Orchestrator} from "../core/Orchestrator.sol";

/// @notice A storage-compatible Orchestrator upgrade used by tests and the local demo.
/// @custom:oz-upgrades-from Orchestrator
contract OrchestratorV2 is Orchestrator {
    /// @notice The implementation's version, to observe that an upgrade took effect.
    /// @return The version number.
    function version() external pure returns (uint256) {
        return 2;
    }
}
