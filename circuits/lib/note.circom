pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// pk = Poseidon(sk)
template PublicKey() {
    signal input privateKey;
    signal output publicKey;

    component hasher = Poseidon(1);
    hasher.inputs[0] <== privateKey;
    publicKey <== hasher.out;
}

// commitment = Poseidon(amount, pk, blinding)
template NoteCommitment() {
    signal input amount;
    signal input publicKey;
    signal input blinding;
    signal output commitment;

    component hasher = Poseidon(3);
    hasher.inputs[0] <== amount;
    hasher.inputs[1] <== publicKey;
    hasher.inputs[2] <== blinding;
    commitment <== hasher.out;
}

// nullifier = Poseidon(commitment, leafIndex, Poseidon(sk, commitment, leafIndex))
// The inner hash is a spend authorisation only the holder of sk can produce; binding the leaf index
// makes two notes with equal contents (amount, pk, blinding) at different leaves spend independently.
template Nullifier() {
    signal input privateKey;
    signal input commitment;
    signal input leafIndex;
    signal output nullifier;

    component authorisation = Poseidon(3);
    authorisation.inputs[0] <== privateKey;
    authorisation.inputs[1] <== commitment;
    authorisation.inputs[2] <== leafIndex;

    component hasher = Poseidon(3);
    hasher.inputs[0] <== commitment;
    hasher.inputs[1] <== leafIndex;
    hasher.inputs[2] <== authorisation.out;
    nullifier <== hasher.out;
}
