//! Test harness: a fresh inbox/outbox per test and a handle on the real `presswire` binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};
use serde_json::Value;

/// Path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_presswire");

/// The sample dump shipped as a fixture.
pub fn sample_dump() -> Vec<u8> {
    std::fs::read(fixture("sample_dump.txt")).unwrap_or_else(|e| panic!("fixture missing: {e}"))
}

/// Path of a fixture file.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A temp folder with `inbox/` and `outbox/` inside.
pub struct Dirs {
    pub root: tempfile::TempDir,
    pub inbox: PathBuf,
    pub outbox: PathBuf,
}

impl Dirs {
    pub fn new() -> Dirs {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let inbox = root.path().join("inbox");
        let outbox = root.path().join("outbox");
        for d in [&inbox, &outbox] {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        Dirs {
            root,
            inbox,
            outbox,
        }
    }

    /// Hands a file over the recommended way: write beside the inbox, then rename in.
    pub fn drop_file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let staging = self.root.path().join(format!(".staging-{name}"));
        std::fs::write(&staging, bytes).unwrap_or_else(|e| panic!("write: {e}"));
        let dest = self.inbox.join(name);
        std::fs::rename(&staging, &dest).unwrap_or_else(|e| panic!("rename: {e}"));
        dest
    }

    /// The `*.jsonl` files in the outbox, sorted.
    pub fn outputs(&self) -> Vec<PathBuf> {
        list(&self.outbox, |n| {
            n.ends_with(".jsonl") && !n.starts_with('.')
        })
    }

    /// Every entry in the outbox, sorted (to check nothing else is there).
    pub fn outbox_entries(&self) -> Vec<String> {
        list(&self.outbox, |_| true)
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect()
    }

    pub fn archive(&self) -> PathBuf {
        self.inbox.join(".done")
    }

    pub fn quarantine(&self) -> PathBuf {
        self.inbox.join(".quarantine")
    }
}

/// Sorted entries of `dir` whose names pass `keep`.
pub fn list(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| keep(&n.to_string_lossy())))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Waits until `cond` holds, re-checking on every filesystem event under `dir` (and at least
/// every 200 ms in case an event is coalesced). Panics with `what` after `timeout`.
pub fn wait_until(dir: &Path, timeout: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |_res: notify::Result<notify::Event>| {
        let _ = tx.send(());
    })
    .unwrap_or_else(|e| panic!("watcher: {e}"));
    watcher
        .watch(dir, RecursiveMode::Recursive)
        .unwrap_or_else(|e| panic!("watch {}: {e}", dir.display()));
    let deadline = Instant::now() + timeout;
    while !cond() {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "timed out after {timeout:?} waiting for {what}"
        );
        let _ = rx.recv_timeout(left.min(Duration::from_millis(200)));
    }
}

/// Parses a JSON Lines file into values, failing on any invalid line.
pub fn read_records(path: &Path) -> Vec<Value> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "output must end with a newline"
    );
    text.lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("invalid JSON line in {}: {e}: {l}", path.display()))
        })
        .collect()
}

/// A running `presswire run`, with its stderr lines collected.
pub struct Daemon {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub log: Vec<String>,
}

impl Daemon {
    /// Starts `presswire run --deterministic` on the test folders and waits until it is ready.
    pub fn start(dirs: &Dirs, extra: &[&str]) -> Daemon {
        let mut cmd = Command::new(BIN);
        cmd.arg("run")
            .arg("--inbox")
            .arg(&dirs.inbox)
            .arg("--outbox")
            .arg(&dirs.outbox)
            .arg("--deterministic");
        cmd.args(extra);
        Self::spawn(cmd)
    }

    /// Starts an arbitrary command line of the binary and waits for "inbox watcher ready".
    pub fn spawn(mut cmd: Command) -> Daemon {
        cmd.env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn presswire: {e}"));
        let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut d = Daemon {
            child,
            lines: rx,
            log: Vec::new(),
        };
        d.wait_log("inbox watcher ready", Duration::from_secs(30));
        d
    }

    /// Waits for a stderr line containing `needle`; returns it.
    pub fn wait_log(&mut self, needle: &str, timeout: Duration) -> String {
        if let Some(l) = self.log.iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no log line containing {needle:?} within {timeout:?}; log so far:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }

    /// Collects whatever stderr lines have arrived so far.
    pub fn drain_log(&mut self) -> &[String] {
        while let Ok(l) = self.lines.try_recv() {
            self.log.push(l);
        }
        &self.log
    }

    /// Sends a signal by name (`TERM`, `INT`, `KILL`, `HUP`).
    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{sig} failed");
    }

    /// SIGTERM, then waits for exit (at most `timeout`).
    pub fn stop(mut self, timeout: Duration) -> (ExitStatus, Vec<String>) {
        self.signal("TERM");
        let status = self.wait_exit(timeout);
        // stderr closes when the process exits: collect the rest.
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.log.push(l);
        }
        (status, std::mem::take(&mut self.log))
    }

    /// Waits for the process to exit, killing it after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return s;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("daemon did not exit within {timeout:?}");
            }
            // Process exit has no portable event to block on here; a short poll is the wait.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary to completion with `args` and optional stdin.
pub fn run_cli(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn: {e}"));
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"))
}

/// Parses stdout of a `process` run into records.
pub fn stdout_records(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("invalid JSON on stdout: {e}: {l}"))
        })
        .collect()
}
