//! Runs the Cloak programs as native builtins inside LiteSVM's runtime.
//!
//! A natively compiled program reaches the runtime through `solana_program::program_stubs`: CPI
//! (`sol_invoke_signed`), sysvars and return data. solana-program-test's stubs implement those against
//! the invoke context of the instruction being executed, so they are installed once (by starting a
//! throwaway ProgramTest bank, the only way that crate exposes them) and wrapped by `LogCapture`, which adds
//! what a validator would show and the host build loses: `msg!` prints to stdout on the host, so stdout
//! is a pipe read back after each program step and written into the transaction's logs as
//! `Program log:` lines, and `sol_log_data` (Anchor's `emit!`) becomes `Program data:`.

use std::{
    cell::Cell,
    fs::File,
    io::{Read, Write},
    os::fd::{AsRawFd, FromRawFd},
    sync::{Mutex, OnceLock},
};

use anchor_lang::solana_program::{
    account_info::AccountInfo, entrypoint::ProgramResult, instruction::Instruction, pubkey::Pubkey,
};
use solana_sysvar::program_stubs;
use solana_program_runtime::stable_log;
use solana_program_test::{EbpfError, EbpfVm, InvokeContext};

thread_local! {
    /// The invoke context of the program step running on this thread (LiteSVM executes on the caller's
    /// thread; a CPI re-enters the same context object).
    static CURRENT_CONTEXT: Cell<usize> = const { Cell::new(0) };
}

/// The read end of the pipe that replaced fd 1, and a handle on the real stdout for the node's own output.
struct StdoutPipe {
    reader: Mutex<File>,
    real_stdout: Mutex<File>,
}

static STDOUT_PIPE: OnceLock<StdoutPipe> = OnceLock::new();

/// Writes a line to the process's real stdout (fd 1 is the program-log pipe once `install` ran).
pub fn print_stdout(line: &str) {
    match STDOUT_PIPE.get() {
        Some(pipe) => {
            let mut out = pipe.real_stdout.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
        None => println!("{line}"),
    }
}

fn with_context(f: impl FnOnce(&mut InvokeContext)) {
    let pointer = CURRENT_CONTEXT.with(Cell::get);
    if pointer != 0 {
        // SAFETY: set by `run_builtin` from the live invoke context for the duration of the program
        // step that is calling us, on this thread.
        f(unsafe { &mut *(pointer as *mut InvokeContext) });
    }
}

/// Moves what the running program printed with `msg!` into its transaction's logs.
fn drain_program_output() {
    let Some(pipe) = STDOUT_PIPE.get() else { return };
    let _ = std::io::stdout().flush();
    let mut reader = pipe.reader.lock().unwrap_or_else(|e| e.into_inner());
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(_) => break, // WouldBlock: everything written so far has been read
        }
    }
    if bytes.is_empty() {
        return;
    }
    let text = String::from_utf8_lossy(&bytes);
    with_context(|context| {
        let collector = context.get_log_collector();
        for line in text.lines() {
            stable_log::program_log(&collector, line);
        }
    });
}

fn log_count() -> usize {
    let mut count = 0;
    with_context(|context| count = context.get_log_collector().map(|c| c.borrow().get_recorded_content().len()).unwrap_or(0));
    count
}

/// solana-program-test's builtin wrapper and CPI stub each log their own `invoke` and `success` lines
/// around what the runtime already logs; a validator shows one of each. Drops the extra pair: the
/// `invoke` line logged first at `from`, and a trailing `success`/`failed` line of `program`.
fn drop_duplicate_lines(from: usize, program: &Pubkey) {
    with_context(|context| {
        let Some(collector) = context.get_log_collector() else { return };
        let mut collector = collector.borrow_mut();
        let messages = &mut collector.messages;
        let invoke = format!("Program {program} invoke [");
        if messages.get(from).is_some_and(|m| m.starts_with(&invoke)) {
            messages.remove(from);
        }
        let success = format!("Program {program} success");
        let failed = format!("Program {program} failed");
        if messages.len() > from && messages.last().is_some_and(|m| *m == success || m.starts_with(&failed)) {
            messages.pop();
        }
    });
}

struct LogCapture {
    inner: Box<dyn program_stubs::SyscallStubs>,
}

impl program_stubs::SyscallStubs for LogCapture {
    fn sol_log(&self, message: &str) {
        with_context(|context| stable_log::program_log(&context.get_log_collector(), message));
    }
    fn sol_log_data(&self, fields: &[&[u8]]) {
        drain_program_output();
        with_context(|context| stable_log::program_data(&context.get_log_collector(), fields));
    }
    fn sol_log_compute_units(&self) {
        self.inner.sol_log_compute_units()
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        self.inner.sol_remaining_compute_units()
    }
    fn sol_invoke_signed(&self, instruction: &Instruction, account_infos: &[AccountInfo], signers_seeds: &[&[&[u8]]]) -> ProgramResult {
        // The caller's output so far belongs before the callee's `invoke` line.
        drain_program_output();
        let from = log_count();
        let result = self.inner.sol_invoke_signed(instruction, account_infos, signers_seeds);
        drop_duplicate_lines(from, &instruction.program_id);
        result
    }
    fn sol_get_sysvar(&self, sysvar_id_addr: *const u8, var_addr: *mut u8, offset: u64, length: u64) -> u64 {
        self.inner.sol_get_sysvar(sysvar_id_addr, var_addr, offset, length)
    }
    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_clock_sysvar(var_addr)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_epoch_schedule_sysvar(var_addr)
    }
    fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_fees_sysvar(var_addr)
    }
    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_rent_sysvar(var_addr)
    }
    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_epoch_rewards_sysvar(var_addr)
    }
    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_last_restart_slot(var_addr)
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        self.inner.sol_get_epoch_stake(vote_address)
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memcpy(dst, src, n)
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memmove(dst, src, n)
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        self.inner.sol_memcmp(s1, s2, n, result)
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        self.inner.sol_memset(s, c, n)
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        self.inner.sol_get_return_data()
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        self.inner.sol_set_return_data(data)
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        self.inner.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        self.inner.sol_get_stack_height()
    }
}

struct Placeholder;
impl program_stubs::SyscallStubs for Placeholder {}

/// Installs the syscall stubs and the stdout pipe. Call once, before any transaction runs.
pub fn install() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let _ = solana_program_test::ProgramTest::default().start().await;
    });
    // The throwaway bank turns on the runtime's debug logging (every log line twice on stderr); the
    // node's output is its RPC. RUST_LOG still opts back in.
    if std::env::var_os("RUST_LOG").is_none() {
        log::set_max_level(log::LevelFilter::Warn);
    }
    // Swap in a placeholder to take ownership of solana-program-test's stubs, then wrap them.
    let inner = program_stubs::set_syscall_stubs(Box::new(Placeholder));
    program_stubs::set_syscall_stubs(Box::new(LogCapture { inner }));

    let _ = std::io::stdout().flush();
    let mut fds = [0i32; 2];
    // SAFETY: plain libc calls on descriptors this function owns.
    unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // Room for a burst of program output between two drains.
        libc::fcntl(fds[1], libc::F_SETPIPE_SZ, 1 << 20);
        libc::fcntl(fds[0], libc::F_SETFL, libc::fcntl(fds[0], libc::F_GETFL) | libc::O_NONBLOCK);
        let real_stdout = libc::dup(1);
        if real_stdout < 0 || libc::dup2(fds[1], 1) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        libc::close(fds[1]);
        let pipe = StdoutPipe {
            reader: Mutex::new(File::from_raw_fd(fds[0])),
            real_stdout: Mutex::new(File::from_raw_fd(real_stdout)),
        };
        let _ = pipe.reader.lock().map(|r| r.as_raw_fd());
        let _ = STDOUT_PIPE.set(pipe);
    }
    Ok(())
}

type Entrypoint = for<'a> fn(&'a Pubkey, &'a [AccountInfo<'a>], &[u8]) -> ProgramResult;

fn run_entry(entry: Entrypoint, program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    // SAFETY: Anchor's entry ties the slice's lifetime to the accounts' own; both outlive this call and
    // the program keeps no reference past it.
    let accounts: &[AccountInfo] = unsafe { std::mem::transmute::<&[AccountInfo], &[AccountInfo]>(accounts) };
    let result = entry(program_id, accounts, data);
    drain_program_output();
    result
}

fn shield_pool_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    run_entry(|p, a, d| shield_pool::entry(p, a, d), program_id, accounts, data)
}

fn scramble_registry_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    run_entry(|p, a, d| scramble_registry::entry(p, a, d), program_id, accounts, data)
}

/// solana-program-test's `processor!` body as a plain function item: its closure does not coerce to
/// LiteSVM's higher-ranked builtin function type.
macro_rules! builtin {
    ($name:ident, $entry:ident, $program:expr) => {
        pub fn $name(vm: *mut EbpfVm<InvokeContext<'static>>, _a: u64, _b: u64, _c: u64, _d: u64, _e: u64) {
            // SAFETY: the runtime passes the VM at the documented offset from its environment key.
            let vm = unsafe {
                &mut *((vm as *mut u64).offset(-(solana_program_test::get_runtime_environment_key() as isize))
                    as *mut EbpfVm<InvokeContext>)
            };
            let context = vm.context_object_pointer as *mut InvokeContext as usize;
            let outer = CURRENT_CONTEXT.with(|c| c.replace(context));
            let from = log_count();
            vm.program_result = solana_program_test::invoke_builtin_function($entry, vm.context_object_pointer)
                .map_err(EbpfError::SyscallError)
                .into();
            drop_duplicate_lines(from, &$program);
            CURRENT_CONTEXT.with(|c| c.set(outer));
        }
    };
}

builtin!(shield_pool_builtin, shield_pool_entry, shield_pool::ID);
builtin!(scramble_registry_builtin, scramble_registry_entry, scramble_registry::ID);
