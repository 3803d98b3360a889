//! Shared by the fuzz targets.

/// The stack a rayon worker gets (Rust's default for spawned threads), where `aksguard`
/// parses and evaluates every file: an input that overflows it is a finding even when
/// libFuzzer's 8 MiB main thread would survive it.
const WORKER_STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a thread with a worker-sized stack. A panic there aborts the process
/// (libfuzzer-sys's panic hook), and so does a stack overflow: both are crashes.
pub fn on_worker_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(s, f)
            .expect("spawn the worker thread")
            .join()
            .expect("the worker thread panicked");
    });
}
