// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice An ERC-20 with a transfer hook that re-enters a target (the pool) with armed calldata and
///         records the answer, to test the pool's reentrancy guard against malicious tokens.
contract ReentrantToken is ERC20 {
    address private target;
    bytes private replay;

    /// @notice The revert data of the last re-entry attempt (empty if it succeeded).
    bytes public lastReentryError;
    /// @notice Whether the last re-entry attempt succeeded.
    bool public lastReentrySucceeded;

    constructor() ERC20("Reentrant Token", "REENT") {}

    /// @notice Mints `amount` to `to` (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Re-enter `target_` with `call` on the next transfer.
    function arm(address target_, bytes calldata call) external {
        target = target_;
        replay = call;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (target != address(0) && from != address(0)) {
            address current = target;
            target = address(0);
            (bool ok, bytes memory reason) = current.call(replay);
            lastReentrySucceeded = ok;
            lastReentryError = reason;
        }
    }
}
