//! Daemon latency and start-up time for `scripts/bench.sh`.
//!
//! Starts `presswire run` on fresh folders, measures start-up to "inbox watcher ready"
//! (`--starts` times), then hands over each dump of `DUMPS_DIR` one at a time the
//! recommended way (write beside the inbox, rename in) and measures from the rename to the
//! output file appearing in the outbox (its rename), watching the outbox with notify.
//!
//! `cargo run --release --example daemon_latency -- BIN DUMPS_DIR WORK_DIR [--starts N]`

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use notify::{RecursiveMode, Watcher};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        bail!("usage: daemon_latency BIN DUMPS_DIR WORK_DIR [--starts N]");
    }
    let (bin, dumps, work) = (
        PathBuf::from(&args[0]),
        PathBuf::from(&args[1]),
        PathBuf::from(&args[2]),
    );
    let starts: usize = args
        .iter()
        .position(|a| a == "--starts")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);

    let mut startup = Vec::new();
    for i in 0..starts {
        let dir = work.join(format!("start-{i}"));
        let (mut child, took, _) = start(&bin, &dir)?;
        startup.push(took);
        stop(&mut child)?;
    }
    startup.sort();

    let dir = work.join("latency");
    let (mut child, _, outbox) = start(&bin, &dir)?;
    let inbox = dir.join("inbox");
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |_e: notify::Result<notify::Event>| {
        let _ = tx.send(());
    })?;
    watcher.watch(&outbox, RecursiveMode::NonRecursive)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dumps)?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut lat = Vec::new();
    let mut bytes = 0usize;
    for f in &files {
        let body = std::fs::read(f)?;
        bytes += body.len();
        let sha = presswire::source::read::sha256_hex(&body);
        let expected = outbox.join(presswire::sink::Outbox::file_name(&sha));
        let name = f.file_name().context("dump without a name")?;
        let staging = dir.join(name);
        std::fs::write(&staging, &body)?;
        while rx.try_recv().is_ok() {}
        let t = Instant::now();
        std::fs::rename(&staging, inbox.join(name))?;
        while !expected.exists() {
            if t.elapsed() > Duration::from_secs(30) {
                bail!("no output for {} after 30 s", f.display());
            }
            let _ = rx.recv_timeout(Duration::from_millis(50));
        }
        lat.push(t.elapsed());
    }
    stop(&mut child)?;
    lat.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |v: &[Duration], p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    if lat.is_empty() || startup.is_empty() {
        bail!("nothing measured");
    }
    println!(
        "startup: runs={} median_ms={:.1} max_ms={:.1}",
        startup.len(),
        ms(pct(&startup, 0.5)),
        ms(startup[startup.len() - 1])
    );
    println!(
        "latency: dumps={} mean_kb={:.1} median_ms={:.1} p90_ms={:.1} p99_ms={:.1} max_ms={:.1}",
        lat.len(),
        bytes as f64 / lat.len() as f64 / 1000.0,
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.9)),
        ms(pct(&lat, 0.99)),
        ms(lat[lat.len() - 1])
    );
    Ok(())
}

/// Starts the daemon on `dir/inbox` → `dir/outbox`; returns it, the time to ready, the outbox.
fn start(bin: &Path, dir: &Path) -> anyhow::Result<(Child, Duration, PathBuf)> {
    let (inbox, outbox) = (dir.join("inbox"), dir.join("outbox"));
    std::fs::create_dir_all(&inbox)?;
    std::fs::create_dir_all(&outbox)?;
    let t = Instant::now();
    let mut child = Command::new(bin)
        .args(["run", "--deterministic", "--inbox"])
        .arg(&inbox)
        .arg("--outbox")
        .arg(&outbox)
        .env("RUST_LOG", "warn,presswire=info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let stderr = child.stderr.take().context("no stderr")?;
    let mut lines = BufReader::new(stderr).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains("inbox watcher ready") => break,
            Some(Ok(_)) => {}
            _ => bail!("daemon exited before it was ready"),
        }
    }
    let took = t.elapsed();
    // Keep draining stderr so the daemon never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Ok((child, took, outbox))
}

fn stop(child: &mut Child) -> anyhow::Result<()> {
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()?;
    child.wait()?;
    Ok(())
}
