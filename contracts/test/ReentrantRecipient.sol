// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A withdrawal recipient that re-enters the pool when paid, replaying the calldata it was armed
///         with, and records how the pool answered, to test the pool's reentrancy guard.
contract ReentrantRecipient {
    address private immutable pool;
    bytes private replay;

    /// @notice The revert data of the last re-entry attempt (empty if it succeeded).
    bytes public lastReentryError;
    /// @notice Whether the last re-entry attempt succeeded.
    bool public lastReentrySucceeded;

    constructor(address pool_) {
        pool = pool_;
    }

    /// @notice Stores the calldata to replay on receipt.
    function arm(bytes calldata call) external {
        replay = call;
    }

    receive() external payable {
        (bool ok, bytes memory reason) = pool.call(replay);
        lastReentrySucceeded = ok;
        lastReentryError = reason;
    }
}
