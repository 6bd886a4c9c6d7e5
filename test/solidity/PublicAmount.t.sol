// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// `npx hardhat test solidity`: the pool's amount/fee arithmetic. publicAmount must equal
// (extAmount - fee) mod p computed independently, and within the bounds the pool enforces, the
// circuit's field balance in0 + in1 + publicAmount == out0 + out1 must hold exactly when the integer
// balance does: no choice of in-range values can mint through modular wrap-around.

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {PublicAmount} from "../../contracts/libraries/PublicAmount.sol";

contract PublicAmountTest {
    uint256 private constant P = PublicAmount.FIELD_SIZE;
    uint256 private constant BOUND = PublicAmount.MAX_EXT_AMOUNT;

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) {
            revert(string.concat(what, ": got ", Strings.toString(actual), ", expected ", Strings.toString(expected)));
        }
    }

    /// @dev Maps any int256 into (-BOUND, BOUND).
    function boundedSigned(int256 seed) internal pure returns (int256) {
        uint256 magnitude = (seed < 0 ? uint256(-(seed + 1)) + 1 : uint256(seed)) % BOUND;
        return seed < 0 ? -int256(magnitude) : int256(magnitude);
    }

    /// hardhat-config: fuzz.runs = 512
    function testFuzz_MatchesModularReference(int256 extSeed, uint256 feeSeed) public pure {
        int256 extAmount = boundedSigned(extSeed);
        uint256 fee = feeSeed % BOUND;
        // Reference: both terms reduced into the field separately, then combined with addmod.
        uint256 ext = extAmount >= 0 ? uint256(extAmount) % P : P - (uint256(-extAmount) % P);
        uint256 expected = addmod(ext, P - (fee % P), P);
        assertEq(PublicAmount.compute(extAmount, fee), expected, "publicAmount");
    }

    /// hardhat-config: fuzz.runs = 512
    function testFuzz_FieldBalanceIsIntegerBalance(uint256 in0, uint256 in1, uint256 out0, int256 extSeed, uint256 feeSeed) public pure {
        in0 %= BOUND;
        in1 %= BOUND;
        out0 %= BOUND;
        int256 extAmount = boundedSigned(extSeed);
        uint256 fee = feeSeed % BOUND;
        uint256 publicAmount = PublicAmount.compute(extAmount, fee);
        // The integer value the two outputs must sum to, and the one output that would make it so.
        int256 target = int256(in0) + int256(in1) + extAmount - int256(fee);
        int256 out1 = target - int256(out0);
        uint256 fieldIn = addmod(addmod(in0, in1, P), publicAmount, P);
        if (out1 >= 0 && out1 < int256(BOUND)) {
            assertEq(fieldIn, addmod(out0, uint256(out1), P), "balanced in integers, so balanced in the field");
        }
        // Any in-range outputs that do not balance over the integers must not balance in the field.
        uint256 wrong = uint256(out1 >= 0 && out1 < int256(BOUND) ? (uint256(out1) + 1) % BOUND : 0);
        if (int256(wrong) != out1 && int256(out0) + int256(wrong) != target) {
            if (addmod(out0, wrong, P) == fieldIn) revert("an unbalanced transaction balanced in the field");
        }
    }

    function test_WithdrawalIsFieldNegative() public pure {
        assertEq(PublicAmount.compute(-5, 1), P - 6, "withdraw 5 with fee 1");
        assertEq(PublicAmount.compute(10, 0), 10, "deposit 10");
        assertEq(PublicAmount.compute(0, 0), 0, "transfer");
    }
}
