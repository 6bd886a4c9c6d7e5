// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A plain mintable ERC-20 for tests and the local demo.
contract TestToken is ERC20 {
    constructor() ERC20("Cloak Test Token", "CTT") {}

    /// @notice Mints `amount` to `to`; anyone may call it (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
