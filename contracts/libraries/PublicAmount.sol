// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title PublicAmount
/// @notice The join-split's public amount: the value entering (or, negative, leaving) the shielded pool.
library PublicAmount {
    /// @notice BN254 scalar field modulus.
    uint256 internal constant FIELD_SIZE =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Exclusive bound on |extAmount| and on fee. With note amounts below 2^248 in the circuit, no
    ///         balance equation over two inputs and two outputs can wrap around FIELD_SIZE (> 2^253).
    uint256 internal constant MAX_EXT_AMOUNT = 2 ** 248;

    /// @notice Whether both values are within the bound that keeps the field balance an integer balance.
    /// @param extAmount Deposit (> 0) or withdrawal (< 0) amount.
    /// @param fee The relayer's fee.
    /// @return True when |extAmount| < 2^248 and fee < 2^248.
    function inRange(int256 extAmount, uint256 fee) internal pure returns (bool) {
        return extAmount > -int256(MAX_EXT_AMOUNT) && extAmount < int256(MAX_EXT_AMOUNT) && fee < MAX_EXT_AMOUNT;
    }

    /// @notice (extAmount - fee) mod FIELD_SIZE, the circuit's `publicAmount` input.
    /// @dev Requires `inRange(extAmount, fee)`; then the subtraction cannot overflow int256.
    /// @param extAmount Deposit (> 0) or withdrawal (< 0) amount.
    /// @param fee The relayer's fee.
    /// @return The field element.
    function compute(int256 extAmount, uint256 fee) internal pure returns (uint256) {
        int256 net = extAmount - int256(fee);
        return net >= 0 ? uint256(net) : FIELD_SIZE - uint256(-net);
    }
}
