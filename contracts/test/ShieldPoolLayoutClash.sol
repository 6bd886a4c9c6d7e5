// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @notice An UNSAFE ShieldPool replacement: it reuses the pool's ERC-7201 namespace with its fields in
///         another order, which would reinterpret live storage. The upgrade tooling must refuse it.
contract ShieldPoolLayoutClash is UUPSUpgradeable {
    /// @custom:storage-location erc7201:cloak.storage.ShieldPool
    struct ShieldPoolStorage {
        address token;
        address orchestrator;
        mapping(bytes32 nullifier => bool) nullifierSpent;
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function _authorizeUpgrade(address) internal override {}
}
