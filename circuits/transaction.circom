pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "./lib/merkle_proof.circom";
include "./lib/note.circom";

// Cloak's 2-input / 2-output join-split.
//
// Statement: the prover knows two input notes (each either a dummy of amount 0, or a leaf of the tree
// at `root` whose private key it holds) and two output notes, such that
//     inAmount[0] + inAmount[1] + publicAmount == outAmount[0] + outAmount[1]   (in the field)
// and the public nullifiers and output commitments are the ones derived from those notes.
//
// Amounts are bounded to AMOUNT_BITS = 248 bits. With p > 2^253, a sum of two bounded amounts plus a
// publicAmount whose magnitude the chain bounds to 2^248 can never wrap around p, so equality in the
// field implies equality over the integers: nobody can mint value through modular overflow.
//
// Public inputs (this declaration order is the verifier's input order):
//     root, publicAmount, extDataHash, inputNullifier[2], outputCommitment[2]
template Transaction(levels) {
    var N_INS = 2;
    var N_OUTS = 2;
    var AMOUNT_BITS = 248;

    signal input root;
    // extAmount - fee (mod p), computed by the chain from extData.
    signal input publicAmount;
    // keccak256(abi-encoded extData) mod p on the EVM; binds recipient, relayer, fee and ciphertexts.
    signal input extDataHash;
    signal input inputNullifier[N_INS];
    signal input outputCommitment[N_OUTS];

    signal input inAmount[N_INS];
    signal input inPrivateKey[N_INS];
    signal input inBlinding[N_INS];
    signal input inPathIndex[N_INS];
    signal input inPathElements[N_INS][levels];

    signal input outAmount[N_OUTS];
    signal input outPublicKey[N_OUTS];
    signal input outBlinding[N_OUTS];

    component inKey[N_INS];
    component inCommitment[N_INS];
    component inNullifier[N_INS];
    component inIndexBits[N_INS];
    component inTree[N_INS];
    component inIsDummy[N_INS];
    component inRootCheck[N_INS];
    component inAmountRange[N_INS];

    var sumIns = 0;
    for (var i = 0; i < N_INS; i++) {
        inKey[i] = PublicKey();
        inKey[i].privateKey <== inPrivateKey[i];

        inCommitment[i] = NoteCommitment();
        inCommitment[i].amount <== inAmount[i];
        inCommitment[i].publicKey <== inKey[i].publicKey;
        inCommitment[i].blinding <== inBlinding[i];

        // Also bounds the leaf index to the tree's capacity.
        inIndexBits[i] = Num2Bits(levels);
        inIndexBits[i].in <== inPathIndex[i];

        inNullifier[i] = Nullifier();
        inNullifier[i].privateKey <== inPrivateKey[i];
        inNullifier[i].commitment <== inCommitment[i].commitment;
        inNullifier[i].leafIndex <== inPathIndex[i];
        inNullifier[i].nullifier === inputNullifier[i];

        inTree[i] = MerkleRoot(levels);
        inTree[i].leaf <== inCommitment[i].commitment;
        for (var l = 0; l < levels; l++) {
            inTree[i].pathElements[l] <== inPathElements[i][l];
            inTree[i].pathBits[l] <== inIndexBits[i].out[l];
        }

        // Zero-amount inputs are dummies: they need no membership, so a wallet can spend one note.
        inIsDummy[i] = IsZero();
        inIsDummy[i].in <== inAmount[i];
        inRootCheck[i] = ForceEqualIfEnabled();
        inRootCheck[i].enabled <== 1 - inIsDummy[i].out;
        inRootCheck[i].in[0] <== root;
        inRootCheck[i].in[1] <== inTree[i].root;

        inAmountRange[i] = Num2Bits(AMOUNT_BITS);
        inAmountRange[i].in <== inAmount[i];

        sumIns += inAmount[i];
    }

    component outCommitment[N_OUTS];
    component outAmountRange[N_OUTS];

    var sumOuts = 0;
    for (var j = 0; j < N_OUTS; j++) {
        outCommitment[j] = NoteCommitment();
        outCommitment[j].amount <== outAmount[j];
        outCommitment[j].publicKey <== outPublicKey[j];
        outCommitment[j].blinding <== outBlinding[j];
        outCommitment[j].commitment === outputCommitment[j];

        outAmountRange[j] = Num2Bits(AMOUNT_BITS);
        outAmountRange[j].in <== outAmount[j];

        sumOuts += outAmount[j];
    }

    // A transaction may not spend the same note twice within itself.
    component sameNullifier = IsEqual();
    sameNullifier.in[0] <== inputNullifier[0];
    sameNullifier.in[1] <== inputNullifier[1];
    sameNullifier.out === 0;

    sumIns + publicAmount === sumOuts;

    // extDataHash takes part in no other constraint; squaring it gives it a constraint of its own so
    // no optimiser or tool can treat the public input as free.
    signal extDataHashSquare <== extDataHash * extDataHash;
}
