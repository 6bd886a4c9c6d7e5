//! Golden vectors shared with the TypeScript SDK (`sdk/test/solana-golden.test.ts`): PDAs and bumps,
//! instruction bytes, account layouts, Poseidon roots, proof and public-input encodings, ext_data
//! hashes and PoW hashes, all computed here by the programs' own code. The committed
//! `fixtures/golden.json` must equal what this computes, so neither side can drift; after an
//! intended change, regenerate it with `npm run golden:solana`.

use anchor_lang::{AccountSerialize, Discriminator, InstructionData};
use anchor_lang::solana_program::bpf_loader_upgradeable;
use cloak_program_tests::fixtures::{fixtures_dir, load_flow};
use cloak_program_tests::program_data_address;
use cloak_program_tests::registry::{claim_pda, miner_pda, registry_pda};
use cloak_program_tests::shield::{config_pda, nullifier_pda, pool_pda, tree_pda, vault_pda};
use cloak_zk::tree::PoolTree;
use scramble_registry::constants::WILDCARD_BATCH;
use scramble_registry::pow::{meets_difficulty, pow_hash, pow_preimage};
use scramble_registry::state::{Claim, Miner, Registry, RegistryParams};
use serde_json::{json, Value};
use shield_pool::constants::NATIVE_MINT;
use shield_pool::ext_data::{ExtData, TransactPublicInputs};
use shield_pool::instructions::InitializeParams;
use shield_pool::state::{CommitmentTree, Config, NullifierRecord, Pool, TreeState, VerifyingKeyData, VerifyingKeyInput};
use solana_sdk::pubkey::Pubkey;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn field(bytes: &[u8; 32]) -> String {
    format!("0x{}", hex(bytes))
}

fn b58(key: &Pubkey) -> String {
    key.to_string()
}

fn pda(name: &str, program: &str, inputs: Value, address: Pubkey, program_id: &Pubkey, seeds: &[&[u8]]) -> Value {
    let (derived, bump) = Pubkey::find_program_address(seeds, program_id);
    assert_eq!(derived, address);
    json!({ "name": name, "program": program, "inputs": inputs, "address": b58(&address), "bump": bump })
}

fn pdas(mint: &Pubkey, nullifier: &[u8; 32], authority: &Pubkey) -> Value {
    use scramble_registry::constants::{CLAIM_SEED, MINER_SEED, REGISTRY_SEED};
    use shield_pool::constants::{CONFIG_SEED, NULLIFIER_SEED, POOL_SEED, TREE_SEED, VAULT_SEED};
    let shield = shield_pool::ID;
    let registry = scramble_registry::ID;
    let native_pool = pool_pda(&NATIVE_MINT);
    let slot: u64 = 123_456_789;
    let batch = [0xabu8; 32];
    json!([
        pda("config", "shield_pool", json!({}), config_pda(), &shield, &[CONFIG_SEED]),
        pda("pool", "shield_pool", json!({ "mint": b58(&NATIVE_MINT) }), native_pool, &shield, &[POOL_SEED, NATIVE_MINT.as_ref()]),
        pda("pool", "shield_pool", json!({ "mint": b58(mint) }), pool_pda(mint), &shield, &[POOL_SEED, mint.as_ref()]),
        pda("vault", "shield_pool", json!({ "pool": b58(&native_pool) }), vault_pda(&native_pool), &shield, &[VAULT_SEED, native_pool.as_ref()]),
        pda("tree", "shield_pool", json!({ "pool": b58(&native_pool) }), tree_pda(&native_pool), &shield, &[TREE_SEED, native_pool.as_ref()]),
        pda("nullifier", "shield_pool", json!({ "pool": b58(&native_pool), "nullifier": field(nullifier) }), nullifier_pda(&native_pool, nullifier), &shield, &[NULLIFIER_SEED, native_pool.as_ref(), nullifier]),
        pda("registry", "scramble_registry", json!({}), registry_pda(), &registry, &[REGISTRY_SEED]),
        pda("miner", "scramble_registry", json!({ "authority": b58(authority) }), miner_pda(authority), &registry, &[MINER_SEED, authority.as_ref()]),
        pda("claim", "scramble_registry", json!({ "authority": b58(authority), "batchHash": hex(&batch), "slot": slot.to_string() }), claim_pda(authority, &batch, slot), &registry, &[CLAIM_SEED, authority.as_ref(), &batch, &slot.to_le_bytes()]),
        // initialize's program_data: the upgradeable loader's PDA of each program id.
        pda("program_data", "shield_pool", json!({ "programId": b58(&shield) }), program_data_address(&shield), &bpf_loader_upgradeable::ID, &[shield.as_ref()]),
        pda("program_data", "scramble_registry", json!({ "programId": b58(&registry) }), program_data_address(&registry), &bpf_loader_upgradeable::ID, &[registry.as_ref()]),
    ])
}

fn ext_data_json(ext_data: &ExtData) -> Value {
    json!({
        "recipient": b58(&ext_data.recipient),
        "extAmount": ext_data.ext_amount.to_string(),
        "relayer": b58(&ext_data.relayer),
        "fee": ext_data.fee.to_string(),
        "encryptedOutput1": hex(&ext_data.encrypted_output1),
        "encryptedOutput2": hex(&ext_data.encrypted_output2),
    })
}

fn public_inputs_json(inputs: &TransactPublicInputs) -> Value {
    json!({
        "root": hex(&inputs.root),
        "inputNullifiers": inputs.input_nullifiers.iter().map(|n| hex(n)).collect::<Vec<_>>(),
        "outputCommitments": inputs.output_commitments.iter().map(|c| hex(c)).collect::<Vec<_>>(),
        "rootIndex": inputs.root_index,
    })
}

fn registry_params(consumer_authority: Pubkey) -> RegistryParams {
    RegistryParams {
        consumer_authority,
        initial_difficulty: 1_000_000,
        min_difficulty: 1_000,
        max_difficulty: 1_000_000_000,
        target_interval_slots: 150,
        miner_fee_share_bps: 2_500,
        reveal_window_slots: 300,
        claim_window_slots: 9_000,
        max_consumptions: 8,
    }
}

fn registry_params_json(params: &RegistryParams) -> Value {
    json!({
        "consumerAuthority": b58(&params.consumer_authority),
        "initialDifficulty": params.initial_difficulty.to_string(),
        "minDifficulty": params.min_difficulty.to_string(),
        "maxDifficulty": params.max_difficulty.to_string(),
        "targetIntervalSlots": params.target_interval_slots.to_string(),
        "minerFeeShareBps": params.miner_fee_share_bps,
        "revealWindowSlots": params.reveal_window_slots.to_string(),
        "claimWindowSlots": params.claim_window_slots.to_string(),
        "maxConsumptions": params.max_consumptions,
    })
}

fn instruction(program: &str, name: &str, args: Value, data: Vec<u8>) -> Value {
    json!({ "program": program, "name": name, "args": args, "data": hex(&data) })
}

fn instructions(relayer: &Pubkey, step: &cloak_program_tests::fixtures::Step) -> Value {
    let pause_authority = *relayer;
    let params = InitializeParams {
        pause_authority,
        security_council: Pubkey::new_from_array([3; 32]),
        verifying_key_delay_seconds: 172_800,
        pow_required: true,
    };
    let registry_params = registry_params(config_pda());
    let slot_hash = [0x5au8; 32];
    let batch_hash = [0xabu8; 32];
    let ceremony_key = VerifyingKeyData::from_key(&cloak_zk::verifying_key::VERIFYING_KEY);
    let emergency_key = VerifyingKeyInput {
        alpha_g1: ceremony_key.alpha_g1,
        beta_g2: ceremony_key.beta_g2,
        gamma_g2: ceremony_key.gamma_g2,
        delta_g2: ceremony_key.delta_g2,
        ic: ceremony_key.ic,
    };
    let new_holder = Pubkey::new_from_array([4; 32]);
    json!([
        instruction("shield_pool", "initialize",
            json!({ "params": { "pauseAuthority": b58(&pause_authority), "securityCouncil": b58(&params.security_council),
                "verifyingKeyDelaySeconds": "172800", "powRequired": true } }),
            shield_pool::instruction::Initialize { params: params.clone() }.data()),
        instruction("shield_pool", "initialize_sol_pool",
            json!({ "maxDeposit": "10000000000", "maxFee": "100000000" }),
            shield_pool::instruction::InitializeSolPool { max_deposit: 10_000_000_000, max_fee: 100_000_000 }.data()),
        instruction("shield_pool", "grow_tree", json!({}), shield_pool::instruction::GrowTree {}.data()),
        instruction("shield_pool", "add_relayer", json!({ "relayer": b58(relayer) }),
            shield_pool::instruction::AddRelayer { relayer: *relayer }.data()),
        instruction("shield_pool", "set_pow_required", json!({ "powRequired": true }),
            shield_pool::instruction::SetPowRequired { pow_required: true }.data()),
        instruction("shield_pool", "emergency_set_verifying_key", json!({ "verifyingKey": verifying_key_json(&ceremony_key) }),
            shield_pool::instruction::EmergencySetVerifyingKey { verifying_key: emergency_key }.data()),
        instruction("shield_pool", "set_verifying_key_delay", json!({ "delaySeconds": "259200" }),
            shield_pool::instruction::SetVerifyingKeyDelay { delay_seconds: 259_200 }.data()),
        instruction("shield_pool", "transfer_pause_authority", json!({ "newPauseAuthority": b58(&new_holder) }),
            shield_pool::instruction::TransferPauseAuthority { new_pause_authority: new_holder }.data()),
        instruction("shield_pool", "transfer_security_council", json!({ "newSecurityCouncil": b58(&new_holder) }),
            shield_pool::instruction::TransferSecurityCouncil { new_security_council: new_holder }.data()),
        instruction("shield_pool", "cancel_verifying_key", json!({}), shield_pool::instruction::CancelVerifyingKey {}.data()),
        instruction("shield_pool", "transact",
            json!({ "proof": hex(&step.proof), "publicInputs": public_inputs_json(&step.public_inputs), "extData": ext_data_json(&step.ext_data) }),
            shield_pool::instruction::Transact { proof: step.proof, public_inputs: step.public_inputs, ext_data: step.ext_data.clone() }.data()),
        instruction("scramble_registry", "initialize", json!({ "params": registry_params_json(&registry_params) }),
            scramble_registry::instruction::Initialize { params: registry_params }.data()),
        instruction("scramble_registry", "mine_claim",
            json!({ "slot": "123456789", "slotHash": hex(&slot_hash), "batchHash": hex(&batch_hash), "nonce": "987654321" }),
            scramble_registry::instruction::MineClaim { slot: 123_456_789, slot_hash, batch_hash, nonce: 987_654_321 }.data()),
        instruction("scramble_registry", "consume_claim", json!({ "batchHash": hex(&batch_hash) }),
            scramble_registry::instruction::ConsumeClaim { batch_hash }.data()),
        instruction("scramble_registry", "transfer_admin", json!({ "newAdmin": b58(&new_holder) }),
            scramble_registry::instruction::TransferAdmin { new_admin: new_holder }.data()),
    ])
}

fn borsh_account<T: AccountSerialize>(account: &T) -> Vec<u8> {
    let mut data = Vec::new();
    account.try_serialize(&mut data).expect("serializes");
    data
}

fn zero_copy_account<T: bytemuck::Pod + Discriminator>(account: &T) -> Vec<u8> {
    [T::DISCRIMINATOR, bytemuck::bytes_of(account)].concat()
}

fn verifying_key_json(key: &VerifyingKeyData) -> Value {
    json!({
        "alphaG1": hex(&key.alpha_g1),
        "betaG2": hex(&key.beta_g2),
        "gammaG2": hex(&key.gamma_g2),
        "deltaG2": hex(&key.delta_g2),
        "ic": key.ic.iter().map(|point| hex(point)).collect::<Vec<_>>(),
    })
}

fn accounts(relayer: &Pubkey, mint: &Pubkey, pairs: &[[[u8; 32]; 2]]) -> Value {
    let pool_key = pool_pda(mint);
    let pool = Pool {
        mint: *mint,
        vault: vault_pda(&pool_key),
        tree: tree_pda(&pool_key),
        max_deposit: 10_000_000_000,
        max_fee: 100_000_000,
        bump: 254,
        vault_bump: 253,
    };
    let mut config: Config = bytemuck::Zeroable::zeroed();
    config.verifying_key_delay_seconds = 172_800;
    config.unpaused_since = 1_700_000_000;
    config.relayer_count = 1;
    config.admin = Pubkey::new_from_array([1; 32]);
    config.pause_authority = Pubkey::new_from_array([2; 32]);
    config.security_council = Pubkey::new_from_array([3; 32]);
    config.relayers[0] = *relayer;
    config.verifying_key = VerifyingKeyData::from_key(&cloak_zk::verifying_key::VERIFYING_KEY);
    config.pow_required = 1;
    config.bump = 255;
    let mut tree = CommitmentTree { tree: bytemuck::Zeroable::zeroed(), pool: pool_key };
    tree.merkle_mut().initialize();
    for [left, right] in pairs {
        tree.merkle_mut().insert(left, right).expect("insert");
    }
    let state: &TreeState = &tree.tree;
    let registry = Registry {
        admin: Pubkey::new_from_array([1; 32]),
        consumer_authority: config_pda(),
        difficulty: 1_234_567,
        min_difficulty: 1_000,
        max_difficulty: 1_000_000_000,
        target_interval_slots: 150,
        miner_fee_share_bps: 2_500,
        reveal_window_slots: 300,
        claim_window_slots: 9_000,
        max_consumptions: 8,
        last_mined_slot: 123_456_000,
        total_miners: 3,
        total_claims_mined: 40,
        total_claims_revealed: 39,
        total_consumptions: 100,
        total_claims_closed: 20,
        bump: 252,
        pending_admin: Pubkey::default(),
    };
    let miner = Miner {
        authority: *relayer,
        registered_slot: 1_000,
        claims_mined: 12,
        claims_revealed: 11,
        consumptions: 30,
        claims_closed: 5,
        bump: 251,
    };
    let claim = Claim {
        miner_authority: *relayer,
        batch_hash: WILDCARD_BATCH,
        slot: 123_456_789,
        slot_hash: [0x5a; 32],
        nonce: 42,
        pow_hash: [0x01; 32],
        difficulty: 1_234_567,
        mined_at_slot: 123_456_790,
        revealed_at_slot: 123_456_800,
        expires_at_slot: 123_465_800,
        consumed_count: 2,
        max_consumptions: 8,
        bump: 250,
    };
    json!([
        { "program": "shield_pool", "name": "Pool", "data": hex(&borsh_account(&pool)), "fields": {
            "mint": b58(&pool.mint), "vault": b58(&pool.vault), "tree": b58(&pool.tree),
            "maxDeposit": pool.max_deposit.to_string(), "maxFee": pool.max_fee.to_string(),
            "bump": pool.bump, "vaultBump": pool.vault_bump } },
        { "program": "shield_pool", "name": "NullifierRecord", "data": hex(&borsh_account(&NullifierRecord { pool: pool_key })),
          "fields": { "pool": b58(&pool_key) } },
        { "program": "shield_pool", "name": "Config", "data": hex(&zero_copy_account(&config)), "fields": {
            "verifyingKeyDelaySeconds": "172800", "pendingVerifyingKeyProposedAt": "0", "unpausedSince": "1700000000",
            "relayerCount": "1",
            "admin": b58(&config.admin), "pendingAdmin": b58(&config.pending_admin), "pauseAuthority": b58(&config.pause_authority),
            "pendingPauseAuthority": b58(&config.pending_pause_authority), "securityCouncil": b58(&config.security_council),
            "pendingSecurityCouncil": b58(&config.pending_security_council),
            "relayers": config.relayers.iter().map(b58).collect::<Vec<_>>(),
            "verifyingKey": verifying_key_json(&config.verifying_key),
            "pendingVerifyingKey": verifying_key_json(&config.pending_verifying_key),
            "paused": 0, "powRequired": 1, "bump": 255, "pendingVerifyingKeySet": 0, "reserved": hex(&config.reserved) } },
        { "program": "shield_pool", "name": "CommitmentTree", "data": hex(&zero_copy_account(&tree)), "fields": {
            "tree": {
                "nextIndex": state.next_index.to_string(),
                "currentRootIndex": state.current_root_index.to_string(),
                "treeNumber": state.tree_number.to_string(),
                "filledSubtrees": state.filled_subtrees.iter().map(|node| hex(node)).collect::<Vec<_>>(),
                "roots": state.roots.iter().map(|root| hex(root)).collect::<Vec<_>>(),
            },
            "pool": b58(&pool_key), "retiredRoots": [] } },
        { "program": "scramble_registry", "name": "Registry", "data": hex(&borsh_account(&registry)), "fields": {
            "admin": b58(&registry.admin), "consumerAuthority": b58(&registry.consumer_authority),
            "difficulty": "1234567", "minDifficulty": "1000", "maxDifficulty": "1000000000", "targetIntervalSlots": "150",
            "minerFeeShareBps": 2500, "revealWindowSlots": "300", "claimWindowSlots": "9000", "maxConsumptions": 8,
            "lastMinedSlot": "123456000", "totalMiners": "3", "totalClaimsMined": "40", "totalClaimsRevealed": "39",
            "totalConsumptions": "100", "totalClaimsClosed": "20", "bump": 252,
            "pendingAdmin": b58(&registry.pending_admin) } },
        { "program": "scramble_registry", "name": "Miner", "data": hex(&borsh_account(&miner)), "fields": {
            "authority": b58(relayer), "registeredSlot": "1000", "claimsMined": "12", "claimsRevealed": "11",
            "consumptions": "30", "claimsClosed": "5", "bump": 251 } },
        { "program": "scramble_registry", "name": "Claim", "data": hex(&borsh_account(&claim)), "fields": {
            "minerAuthority": b58(relayer), "batchHash": hex(&claim.batch_hash), "slot": "123456789",
            "slotHash": hex(&claim.slot_hash), "nonce": "42", "powHash": hex(&claim.pow_hash), "difficulty": "1234567",
            "minedAtSlot": "123456790", "revealedAtSlot": "123456800", "expiresAtSlot": "123465800",
            "consumedCount": 2, "maxConsumptions": 8, "bump": 250 } },
    ])
}

fn small(value: u64) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes[24..].copy_from_slice(&value.to_be_bytes());
    bytes
}

fn poseidon_roots(pairs: &[[[u8; 32]; 2]]) -> Value {
    let mut tree = PoolTree::new();
    let roots: Vec<String> = pairs
        .iter()
        .map(|[left, right]| {
            tree.insert(left, right).expect("insert");
            field(&tree.root())
        })
        .collect();
    json!({
        "depth": cloak_zk::tree::TREE_DEPTH,
        "pairs": pairs.iter().map(|[l, r]| json!([field(l), field(r)])).collect::<Vec<_>>(),
        "roots": roots,
    })
}

fn pow_vectors(miner: &Pubkey) -> Value {
    let cases = [
        (123_456_789u64, [0x5au8; 32], WILDCARD_BATCH, 0u64, 1u64),
        (987_654_321, [0x01; 32], [0xab; 32], 42, 16),
        (1, [0xff; 32], [0x10; 32], u64::MAX, 1_000_000),
    ];
    Value::Array(
        cases
            .iter()
            .map(|(slot, slot_hash, batch, nonce, difficulty)| {
                let hash = pow_hash(*slot, slot_hash, miner, batch, *nonce);
                json!({
                    "slot": slot.to_string(), "slotHash": hex(slot_hash), "miner": b58(miner),
                    "batchHash": hex(batch), "nonce": nonce.to_string(),
                    "preimage": hex(&pow_preimage(*slot, slot_hash, miner, batch, *nonce)),
                    "hash": hex(&hash), "difficulty": difficulty.to_string(),
                    "meetsDifficulty": meets_difficulty(&hash, *difficulty),
                })
            })
            .collect(),
    )
}

fn ext_data_vectors(flows: &[&cloak_program_tests::fixtures::Flow]) -> Value {
    let vectors = flows.iter().flat_map(|flow| {
        flow.steps.iter().map(|step| {
            json!({
                "programId": b58(&shield_pool::ID), "pool": b58(&flow.pool),
                "extData": ext_data_json(&step.ext_data),
                "hash": field(&step.ext_data.hash(&shield_pool::ID, &flow.pool)),
            })
        })
    });
    Value::Array(vectors.collect())
}

fn golden() -> Value {
    let flow = load_flow("sol_flow");
    let token_flow = load_flow("token_flow");
    let withdraw = flow.step("withdraw");
    let relayer = solana_sdk::signer::Signer::pubkey(&flow.keypair("relayer"));
    let mint = solana_sdk::signer::Signer::pubkey(&token_flow.keypair("mint"));
    let proof = cloak_zk::verifier::Proof::from_bytes(&withdraw.proof);
    let pairs = [
        [small(1), small(2)],
        withdraw.public_inputs.output_commitments,
        [small(0), small(0)],
    ];
    json!({
        "pdas": pdas(&mint, &withdraw.public_inputs.input_nullifiers[0], &relayer),
        "instructions": instructions(&relayer, &withdraw),
        "accounts": accounts(&relayer, &mint, &pairs),
        "poseidonRoots": poseidon_roots(&pairs),
        "proofEncoding": {
            "fixture": "sol_flow",
            "step": "withdraw",
            "proof": hex(&withdraw.proof),
            "negatedA": hex(&cloak_zk::field::negate_g1(&proof.a).expect("A is a point")),
            "publicInputs": hex(&withdraw.public_inputs.to_array(withdraw.public_amount, withdraw.ext_data_hash).concat()),
        },
        "extData": ext_data_vectors(&[&flow, &token_flow]),
        "pow": pow_vectors(&relayer),
    })
}

#[test]
fn committed_golden_vectors_match_the_programs() {
    let path = fixtures_dir().join("golden.json");
    let computed = golden();
    if std::env::var_os("CLOAK_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, format!("{}\n", serde_json::to_string_pretty(&computed).unwrap())).unwrap();
        return;
    }
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).expect("fixtures/golden.json exists (npm run golden:solana)"),
    )
    .expect("golden.json parses");
    assert!(committed == computed, "fixtures/golden.json is stale: run `npm run golden:solana` and commit it");
}

#[test]
fn fixture_ext_data_hashes_match_the_proofs() {
    // The SDK hashed each step's ext_data into its proof; the program's hash must agree.
    for (flow, name) in [
        (load_flow("sol_flow"), "sol"),
        (load_flow("token_flow"), "token"),
        (load_flow("rollover_flow"), "rollover"),
    ] {
        for step in &flow.steps {
            assert_eq!(
                step.ext_data.hash(&shield_pool::ID, &flow.pool),
                step.ext_data_hash,
                "{name} {}",
                step.name
            );
        }
    }
}
