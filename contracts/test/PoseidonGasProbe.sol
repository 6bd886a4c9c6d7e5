// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoseidonT3} from "../tree/MerkleTreeWithHistory.sol";

/// @notice The two-input Poseidon entry point of circomlibjs' generated hasher (`poseidonContract.createCode(2)`).
interface ICircomlibPoseidon2 {
    /// @notice Poseidon(input[0], input[1]) with circomlib's parameters.
    /// @param input The two field elements.
    /// @return The hash.
    function poseidon(uint256[2] calldata input) external pure returns (uint256);
}

/// @title PoseidonCallProbe
/// @notice Benchmark helper (bench/poseidon-gas.ts): the gas a calling contract spends on one Poseidon(2) hash
///         through an external hasher, measured with `gasleft()` around the call, so it includes ABI encoding,
///         the call itself and decoding, as a Merkle tree would pay them.
/// @dev Each function hashes twice: the first call pays the cold account access (EIP-2929), the second is what
///      every further hash in the same transaction costs.
contract PoseidonCallProbe {
    /// @notice The delegatecall to the library reverted.
    error DelegatecallFailed();

    /// @notice Hashes (a, b) twice through circomlibjs' generated hasher at `hasher`.
    /// @param hasher The deployed circomlibjs bytecode.
    /// @param a The left input.
    /// @param b The right input.
    /// @return result Poseidon(a, b).
    /// @return coldGas Gas of the first call, which pays the cold access to `hasher`.
    /// @return warmGas Gas of the second call.
    function measureCircomlib(address hasher, uint256 a, uint256 b)
        external
        view
        returns (uint256 result, uint256 coldGas, uint256 warmGas)
    {
        uint256 before = gasleft();
        result = ICircomlibPoseidon2(hasher).poseidon([a, b]);
        coldGas = before - gasleft();
        before = gasleft();
        ICircomlibPoseidon2(hasher).poseidon([a, b]);
        warmGas = before - gasleft();
    }

    /// @notice Hashes (a, b) twice with a plain static call to poseidon-solidity's deployed `PoseidonT3`.
    /// @param library_ The deployed PoseidonT3 library.
    /// @param a The left input.
    /// @param b The right input.
    /// @return result Poseidon(a, b).
    /// @return coldGas Gas of the first call, which pays the cold access to `library_`.
    /// @return warmGas Gas of the second call.
    function measurePoseidonT3Call(address library_, uint256 a, uint256 b)
        external
        view
        returns (uint256 result, uint256 coldGas, uint256 warmGas)
    {
        uint256 before = gasleft();
        result = IPoseidonT3(library_).hash([a, b]);
        coldGas = before - gasleft();
        before = gasleft();
        IPoseidonT3(library_).hash([a, b]);
        warmGas = before - gasleft();
    }

    /// @notice Hashes (a, b) twice with a delegatecall to poseidon-solidity's deployed `PoseidonT3`: the call a
    ///         contract linking the library makes. Linking itself is left out, since a contract with unresolved
    ///         library references needs a library artifact that Hardhat does not emit for npm sources.
    /// @dev Not `view` only because Solidity treats every delegatecall as state-changing; call it with eth_call.
    /// @param library_ The deployed PoseidonT3 library.
    /// @param a The left input.
    /// @param b The right input.
    /// @return result Poseidon(a, b).
    /// @return coldGas Gas of the first call, which pays the cold access to `library_`.
    /// @return warmGas Gas of the second call.
    function measurePoseidonT3Delegatecall(address library_, uint256 a, uint256 b)
        external
        returns (uint256 result, uint256 coldGas, uint256 warmGas)
    {
        uint256 before = gasleft();
        result = _delegateHash(library_, a, b);
        coldGas = before - gasleft();
        before = gasleft();
        _delegateHash(library_, a, b);
        warmGas = before - gasleft();
    }

    /// @dev Encodes, delegatecalls and decodes as compiler-generated code for a linked library call does.
    function _delegateHash(address library_, uint256 a, uint256 b) private returns (uint256) {
        (bool success, bytes memory returned) = library_.delegatecall(abi.encodeCall(IPoseidonT3.hash, ([a, b])));
        if (!success) revert DelegatecallFailed();
        return abi.decode(returned, (uint256));
    }
}
