pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// Recomputes the root of a binary Poseidon Merkle tree from a leaf and its authentication path.
// `pathBits[i]` is bit i of the leaf index (LSB = level 0): 1 means the running node is a right child.
// The caller must constrain every bit to be boolean (Num2Bits does this).
template MerkleRoot(levels) {
    signal input leaf;
    signal input pathElements[levels];
    signal input pathBits[levels];
    signal output root;

    component hashers[levels];
    signal node[levels + 1];
    signal left[levels];
    signal right[levels];

    node[0] <== leaf;
    for (var i = 0; i < levels; i++) {
        // One multiplication selects the left child; the right child is the remaining operand.
        left[i] <== node[i] + pathBits[i] * (pathElements[i] - node[i]);
        right[i] <== node[i] + pathElements[i] - left[i];

        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== left[i];
        hashers[i].inputs[1] <== right[i];
        node[i + 1] <== hashers[i].out;
    }

    root <== node[levels];
}
