//! Runs the aksguard binary on hostile input under the limits the project promises: at most
//! 2 GiB of memory, 30 s of CPU time (release build) and an exit code of 0, 1 or 2. Every
//! case goes through `Scratch::check`, which asserts those limits, so a case only states what
//! it builds and what the report must say about it.
//!
//! Time is the process's CPU time (user and system, all threads), not the wall clock: on a
//! machine shared with other builds a 30 s wall limit failed cases that needed 12 s of CPU,
//! and on an idle 2-core runner 30 s of CPU takes at most 30 s of wall time. A watchdog still
//! kills a run after four times the limit of wall time, so a hang (a FIFO, a lock) fails too.
//!
//! The binary is `AKSGUARD_BIN` when set (`.ci/run` points it at the release build), else
//! the debug build Cargo made for this test. The debug build is several times slower, so its
//! time limit is wider; the 30 s contract is held by the release run.

// Cases use what they need of it.
#![allow(dead_code)]

use serde_json::Value;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Peak resident memory a scan may reach.
pub const MEMORY_LIMIT: u64 = 2 << 30;
/// Address space the process may reserve: above the resident limit because thread stacks and
/// allocator arenas are reserved, not used; an allocation past it fails (the process aborts,
/// which the exit-code check reports) instead of taking the machine down.
const ADDRESS_SPACE_LIMIT: u64 = 5 << 29;
/// Bytes of each output stream kept for the case to read; the rest is only counted.
const KEPT_OUTPUT: usize = 64 << 20;

/// Cases run one at a time: each may use up to 2 GiB and its time is measured.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

pub fn binary() -> PathBuf {
    std::env::var_os("AKSGUARD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_aksguard")))
}

/// Whether the binary under test is a release build (`AKSGUARD_BIN`, as `.ci/run` sets it).
pub fn release() -> bool {
    binary().components().any(|c| c.as_os_str() == "release")
}

pub fn time_limit() -> Duration {
    Duration::from_secs(if release() { 30 } else { 120 })
}

/// A temporary directory for one case, removed when dropped.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    pub fn new(case: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("aksguard-hostile-{}-{case}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Write `contents` to `name` (sub-directories created), returning the full path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// A FIFO at `name` that nobody writes to: reading it blocks forever.
    pub fn fifo(&self, name: &str) -> PathBuf {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
        assert!(status.success(), "mkfifo {}", path.display());
        path
    }

    /// A symbolic link at `name` pointing to `target`.
    pub fn symlink(&self, name: &str, target: impl AsRef<Path>) -> PathBuf {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::os::unix::fs::symlink(target, &path).unwrap();
        path
    }

    /// `aksguard check ARGS` run in this directory under the limits (asserted here).
    pub fn check(&self, args: &[&str]) -> Run {
        self.check_with_stdin(args, None)
    }

    /// As `check`, with `stdin` written to the process's standard input.
    pub fn check_with_stdin(&self, args: &[&str], stdin: Option<Vec<u8>>) -> Run {
        let mut full = vec!["check"];
        full.extend_from_slice(args);
        run_bounded(&self.dir, &full, stdin)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What one bounded run did.
pub struct Run {
    pub code: i32,
    /// The first 64 MiB of standard output and error.
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// How many bytes were written to standard output in all.
    pub stdout_bytes: u64,
    /// Wall time, from start to exit.
    pub elapsed: Duration,
    /// CPU time, user and system, of every thread.
    pub cpu: Duration,
    pub max_rss: u64,
    pub args: Vec<String>,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Standard output parsed as the JSON report (the case passes `--format json`).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "{:?}: not JSON ({e}): {}\nstderr: {}",
                self.args,
                truncated(&self.stdout()),
                truncated(&self.stderr())
            )
        })
    }
}

fn truncated(text: &str) -> String {
    if text.len() <= 4_000 {
        return text.to_string();
    }
    let mut end = 4_000;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

/// Reads a stream to its end, keeping the first `KEPT_OUTPUT` bytes and counting the rest.
fn drain(mut stream: impl Read + Send + 'static) -> std::thread::JoinHandle<(Vec<u8>, u64)> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut total = 0u64;
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    total += n as u64;
                    let room = KEPT_OUTPUT.saturating_sub(kept.len()).min(n);
                    kept.extend_from_slice(&buffer[..room]);
                }
            }
        }
        (kept, total)
    })
}

/// Run aksguard with `args` in `dir` under the memory and time limits and assert that it
/// stayed within them and exited 0, 1 or 2.
pub fn run_bounded(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let limit = time_limit();
    let hang_limit = limit * 4;
    let mut command = Command::new(binary());
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so the watchdog's kill reaches anything it started.
        .process_group(0);
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let address_space = libc::rlimit {
                rlim_cur: ADDRESS_SPACE_LIMIT,
                rlim_max: ADDRESS_SPACE_LIMIT,
            };
            let no_core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &address_space) != 0
                || libc::setrlimit(libc::RLIMIT_CORE, &no_core) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("run aksguard");
    let pid = child.id() as libc::pid_t;
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            use std::io::Write;
            let _ = pipe.write_all(&bytes);
        })
    });

    // The watchdog kills the process when the time is up. It may only signal the pid while
    // the process has not been reaped (else the pid may belong to someone else), so the
    // waiter first waits without reaping, then marks it exited under the same lock.
    let state = Arc::new((Mutex::new((false, false)), Condvar::new())); // (exited, killed)
    let watchdog = {
        let state = Arc::clone(&state);
        std::thread::spawn(move || {
            let (lock, wake) = &*state;
            let guard = lock.lock().unwrap();
            let (mut guard, timeout) = wake
                .wait_timeout_while(guard, hang_limit, |(exited, _)| !*exited)
                .unwrap();
            if timeout.timed_out() && !guard.0 {
                // SAFETY: the child has not been reaped (guarded by `exited`), so its process
                // group id is still its own.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
                guard.1 = true;
            }
        })
    };
    // SAFETY: plain waitid/wait4 on our own child; `child` is never waited on by std.
    let (status, usage) = unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOWAIT,
        );
        let elapsed_at_exit = started.elapsed();
        {
            let (lock, wake) = &*state;
            lock.lock().unwrap().0 = true;
            wake.notify_all();
        }
        let mut status = 0;
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(pid, &mut status, 0, &mut usage);
        ((status, elapsed_at_exit), usage)
    };
    let (status, elapsed) = status;
    watchdog.join().unwrap();
    drop(child);
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    let (stdout, stdout_bytes) = stdout.join().unwrap();
    let (stderr, _) = stderr.join().unwrap();
    let killed = state.0.lock().unwrap().1;
    let run = Run {
        code: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -libc::WTERMSIG(status)
        },
        stdout,
        stderr,
        stdout_bytes,
        elapsed,
        cpu: cpu_time(&usage.ru_utime) + cpu_time(&usage.ru_stime),
        // Linux reports kibibytes.
        max_rss: usage.ru_maxrss as u64 * 1024,
        args: args.iter().map(|a| a.to_string()).collect(),
    };
    let summary = format!(
        "{:?}: exit {}, {:.1} s CPU, {:.1} s wall, {} MiB peak",
        run.args,
        run.code,
        run.cpu.as_secs_f64(),
        run.elapsed.as_secs_f64(),
        run.max_rss >> 20
    );
    let context = || {
        format!(
            "aksguard {summary}\nstderr: {}\nstdout: {}",
            truncated(&run.stderr()),
            truncated(&run.stdout())
        )
    };
    // Each run's time and peak, for `cargo test --test hostile -- --nocapture`.
    eprintln!("hostile run {summary}");
    assert!(
        !killed,
        "hung: killed after {hang_limit:?} of wall time: {}",
        context()
    );
    assert!(
        run.cpu <= limit,
        "over the {limit:?} CPU time limit: {}",
        context()
    );
    assert!(
        (0..=2).contains(&run.code),
        "exit code not 0, 1 or 2 (negative: killed by that signal): {}",
        context()
    );
    assert!(
        run.max_rss <= MEMORY_LIMIT,
        "over the memory limit: {}",
        context()
    );
    run
}

fn cpu_time(time: &libc::timeval) -> Duration {
    Duration::from_secs(time.tv_sec as u64) + Duration::from_micros(time.tv_usec as u64)
}
