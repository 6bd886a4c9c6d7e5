//! `cloak-localnet`: a Solana JSON-RPC node on loopback that runs the Cloak programs natively in
//! LiteSVM, for end-to-end tests, the demo and the services. See docs/solana.md ("Local node").

mod encoding;
mod engine;
mod http;
mod ledger;
mod program_host;
mod pubsub;
mod rpc;
mod rpc_error;

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use solana_sdk::signature::{read_keypair_file, write_keypair_file, Keypair, Signer};
use tokio::{net::TcpListener, sync::broadcast};

use crate::{engine::Engine, ledger::Ledger};

const AUTOSAVE_INTERVAL: Duration = Duration::from_secs(5);

const USAGE: &str = "cloak-localnet: a local Solana JSON-RPC node running the Cloak programs

Usage: cloak-localnet [options]
  --rpc-port <n>       HTTP JSON-RPC port (default 8899; 0 = any free port)
  --ws-port <n>        WebSocket port (default rpc port + 1; 0 = any free port)
  --bind <ip>          address to listen on (default 127.0.0.1)
  --slot-time <ms>     time between slots (default 400)
  --ledger <dir>       where the authority key and saved state live (default .localnet)
  --reset              start from genesis, forgetting saved state
  --authority <file>   keypair (solana CLI JSON) that is both programs' upgrade authority
                       (default <ledger>/authority.json, created if missing)
  --quiet              print only the ready line and errors
  -h, --help           this text";

struct Options {
    rpc_port: u16,
    ws_port: Option<u16>,
    bind: IpAddr,
    slot_time: Duration,
    ledger: PathBuf,
    reset: bool,
    authority: Option<PathBuf>,
    quiet: bool,
}

fn parse_options(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options { rpc_port: 8899, ws_port: None, bind: [127, 0, 0, 1].into(), slot_time: Duration::from_millis(400), ledger: ".localnet".into(), reset: false, authority: None, quiet: false };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name}: missing {what}"));
        match name.as_str() {
            "--rpc-port" => options.rpc_port = value("port")?.parse().map_err(|_| format!("{name}: not a port number (0-65535)"))?,
            "--ws-port" => options.ws_port = Some(value("port")?.parse().map_err(|_| format!("{name}: not a port number (0-65535)"))?),
            "--bind" => options.bind = value("address")?.parse().map_err(|_| format!("{name}: not an IP address"))?,
            "--slot-time" => {
                let ms: u64 = value("milliseconds")?.parse().map_err(|_| format!("{name}: not a whole number of milliseconds"))?;
                if !(10..=60_000).contains(&ms) {
                    return Err(format!("{name}: {ms} ms is outside 10..=60000"));
                }
                options.slot_time = Duration::from_millis(ms);
            }
            "--ledger" => options.ledger = value("directory")?.into(),
            "--authority" => options.authority = Some(value("keypair file")?.into()),
            "--reset" => options.reset = true,
            "--quiet" => options.quiet = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(options)
}

fn load_authority(options: &Options) -> Result<Keypair, String> {
    let path = options.authority.clone().unwrap_or_else(|| options.ledger.join("authority.json"));
    if path.exists() {
        return read_keypair_file(&path).map_err(|e| format!("--authority: cannot read keypair {}: {e}", path.display()));
    }
    if options.authority.is_some() {
        return Err(format!("--authority: {} does not exist", path.display()));
    }
    let keypair = Keypair::new();
    write_keypair_file(&keypair, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(keypair)
}

fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("cloak-localnet: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cloak-localnet: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: Options) -> Result<(), String> {
    std::fs::create_dir_all(&options.ledger).map_err(|e| format!("--ledger: cannot create {}: {e}", options.ledger.display()))?;
    let authority = load_authority(&options)?.pubkey();
    let state_file = options.ledger.join("state.bin");
    if options.reset {
        match std::fs::remove_file(&state_file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("--reset: cannot remove {}: {e}", state_file.display())),
        }
    }
    // Before any runtime thread exists: this starts (and drops) a throwaway bank and swaps fd 1.
    program_host::install().map_err(|e| format!("cannot install the program host: {e}"))?;

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let rpc_listener = TcpListener::bind(SocketAddr::new(options.bind, options.rpc_port)).await.map_err(|e| format!("--rpc-port: cannot listen on {}:{}: {e}", options.bind, options.rpc_port))?;
        let rpc_address = rpc_listener.local_addr().map_err(|e| e.to_string())?;
        let ws_port = options.ws_port.unwrap_or(if options.rpc_port == 0 { 0 } else { options.rpc_port + 1 });
        let ws_listener = TcpListener::bind(SocketAddr::new(options.bind, ws_port)).await.map_err(|e| format!("--ws-port: cannot listen on {}:{ws_port}: {e}", options.bind))?;
        let ws_address = ws_listener.local_addr().map_err(|e| e.to_string())?;

        let (events, _) = broadcast::channel(4096);
        let restored = state_file.exists();
        let blockhash_validity = ledger::blockhash_validity(options.slot_time);
        let make_ledger = {
            let events = events.clone();
            let state_file = state_file.clone();
            move || {
                if state_file.exists() {
                    match Ledger::load(&state_file, &authority, blockhash_validity, events.clone()) {
                        Ok(ledger) => return ledger,
                        Err(e) => eprintln!("cloak-localnet: saved state {} is unreadable ({e}); starting from genesis", state_file.display()),
                    }
                }
                Ledger::genesis(&authority, blockhash_validity, events)
            }
        };
        let engine = Engine::start(make_ledger, options.slot_time);
        let slot = engine.run(|l| l.slot()).await;

        tokio::spawn(http::serve(rpc_listener, engine.clone()));
        let (stop_subscriptions, stopping) = tokio::sync::watch::channel(false);
        let subscriptions = tokio::spawn(pubsub::serve(ws_listener, engine.clone(), events, stopping));

        if !options.quiet {
            program_host::print_stdout(&format!(
                "cloak-localnet {} (LiteSVM 0.7.1, Solana {}): shield-pool {} and scramble-registry {} loaded natively; {}",
                env!("CARGO_PKG_VERSION"),
                rpc::SOLANA_CORE_VERSION,
                shield_pool::ID,
                scramble_registry::ID,
                if restored { format!("state restored from {}", state_file.display()) } else { "fresh genesis".to_string() },
            ));
        }
        program_host::print_stdout(&format!("Cloak localnet ready rpc=http://{rpc_address} ws=ws://{ws_address} authority={authority} slot={slot} ledger={}", options.ledger.display()));

        // Saved every few seconds when something changed, so a killed node loses at most that much.
        let autosave = {
            let engine = engine.clone();
            let state_file = state_file.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(AUTOSAVE_INTERVAL).await;
                    let state_file = state_file.clone();
                    if let Err(e) = engine.run(move |l| if l.unsaved() { l.save(&state_file) } else { Ok(()) }).await {
                        eprintln!("cloak-localnet: could not save state: {e}");
                    }
                }
            })
        };
        wait_for_shutdown().await;
        autosave.abort();
        let _ = stop_subscriptions.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(2), subscriptions).await;
        let saved = engine.run(move |l| l.save(&state_file).map(|()| state_file)).await;
        match saved {
            Ok(path) if !options.quiet => program_host::print_stdout(&format!("cloak-localnet stopped; state saved to {}", path.display())),
            Ok(_) => {}
            Err(e) => return Err(format!("could not save state: {e}")),
        }
        Ok(())
    })
}

async fn wait_for_shutdown() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut interrupt = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
}
