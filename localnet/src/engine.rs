//! One thread owns the ledger: it runs requests in arrival order and passes a slot every slot time.
//! LiteSVM and the natively loaded programs keep per-thread state (the invoke context the syscall
//! stubs read), so every transaction must run on this one thread.

use std::{
    sync::mpsc,
    time::{Duration, Instant},
};

use tokio::sync::oneshot;

use crate::ledger::Ledger;

type Job = Box<dyn FnOnce(&mut Ledger) + Send>;

#[derive(Clone)]
pub struct Engine {
    jobs: mpsc::Sender<Job>,
}

impl Engine {
    /// Starts the ledger thread. `make_ledger` runs on it (the programs' host state must live there).
    pub fn start(make_ledger: impl FnOnce() -> Ledger + Send + 'static, slot_time: Duration) -> Engine {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("ledger".into())
            .spawn(move || {
                let mut ledger = make_ledger();
                let mut next_slot = Instant::now() + slot_time;
                loop {
                    let wait = next_slot.saturating_duration_since(Instant::now());
                    match queue.recv_timeout(wait) {
                        Ok(job) => job(&mut ledger),
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            ledger.advance_slot();
                            next_slot += slot_time;
                            // After a stall (a long job) the schedule restarts from now instead of passing slots back to back.
                            if next_slot < Instant::now() {
                                next_slot = Instant::now() + slot_time;
                            }
                        }
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
            })
            .expect("ledger thread");
        Engine { jobs }
    }

    /// Runs `f` on the ledger thread and returns its result.
    pub async fn run<R: Send + 'static>(&self, f: impl FnOnce(&mut Ledger) -> R + Send + 'static) -> R {
        let (reply, result) = oneshot::channel();
        self.jobs
            .send(Box::new(move |ledger| {
                let _ = reply.send(f(ledger));
            }))
            .expect("the ledger thread is running");
        result.await.expect("the ledger thread answered")
    }
}
