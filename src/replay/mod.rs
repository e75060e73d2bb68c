//! Batch replay: every input under some paths (folders, tar/tgz/zip archives, JSONL files),
//! processed once, in parallel, into an outbox, with exactly the daemon's output files.
//!
//! ```text
//! reader thread (walk + stream archives) ─▶ bounded channel ─▶ N workers ─▶ results ─▶ summary
//! ```
//! The reader holds one member at a time and the channel holds at most `2 × jobs` inputs, so
//! memory is bounded by `jobs × max_file_bytes` whatever the archive size. Each worker runs
//! the same steps as the daemon ([`crate::work`]) and writes through the same [`Outbox`]
//! (without per-file fsync; everything is synced once at the end). An input whose output is
//! already in the outbox is skipped unless `force`. A failure never stops the run: it is
//! written to `<out>/.failed/` and listed in the summary.

pub mod failures;
pub mod inputs;
pub mod progress;

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::sink::quarantine::ErrorReport;
use crate::sink::Outbox;
use crate::source::Format;
use crate::stages::{Models, Stage};
use crate::work::{self, Failure, RecordOptions, Work};

pub use failures::{Failures, Listed, FAILED_DIR};
pub use inputs::{Found, Input, Unreadable};
pub use progress::{Mode, Totals};

/// What a replay does.
#[derive(Debug, Clone)]
pub struct Options {
    /// The outbox folder.
    pub out: PathBuf,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Input format; `None` decides by name (`*.jsonl` is JSONL), like the daemon.
    pub format: Option<Format>,
    /// Redo inputs whose output already exists.
    pub force: bool,
    /// Leave `processed_at` null.
    pub deterministic: bool,
    /// Inputs (or archive members) larger than this fail without being read.
    pub max_file_bytes: u64,
    /// How progress is shown.
    pub progress: Mode,
    /// Period of progress lines when not on a terminal.
    pub progress_every: Duration,
}

/// The outcome of a replay.
#[derive(Debug, Default)]
pub struct Summary {
    /// Counts.
    pub totals: Totals,
    /// Failures (the first thousand in full).
    pub failures: failures::List,
    /// JSONL inputs that had unusable lines (processed, with a report in `.failed/`).
    pub partial: u64,
    /// Wall time, final sync included.
    pub elapsed: Duration,
    /// Time spent in the final sync.
    pub sync: Duration,
}

impl Summary {
    /// Input megabytes per second.
    pub fn mb_per_s(&self) -> f64 {
        progress::mb(self.totals.bytes_in) / self.elapsed.as_secs_f64().max(1e-6)
    }

    /// Articles per second.
    pub fn articles_per_s(&self) -> f64 {
        self.totals.articles as f64 / self.elapsed.as_secs_f64().max(1e-6)
    }

    /// How many inputs failed.
    pub fn failed(&self) -> u64 {
        self.totals.failed
    }
}

/// What a worker reports for one input.
enum Outcome {
    Done {
        label: String,
        articles: usize,
        bytes_in: u64,
        bytes_out: u64,
        bad_lines: Option<Listed>,
    },
    Skipped,
    Failed(Listed),
}

/// Shared by the workers.
struct Ctx<'a> {
    models: &'a Models,
    outbox: Outbox,
    failures: Failures,
    opts: &'a Options,
    record: RecordOptions,
    /// Short hashes being processed right now: an input seen twice in one run is written once.
    in_flight: Mutex<HashSet<String>>,
}

/// Replays `paths` into `opts.out`.
///
/// # Errors
/// Only when the outbox cannot be prepared or synced; input failures are in the summary.
pub fn run(models: &Models, paths: &[PathBuf], opts: &Options) -> anyhow::Result<Summary> {
    use anyhow::Context as _;
    let started = Instant::now();
    let outbox = Outbox::new(opts.out.clone(), false);
    outbox
        .prepare()
        .with_context(|| format!("cannot prepare output folder {}", opts.out.display()))?;
    let ctx = Ctx {
        models,
        failures: Failures::open(&opts.out),
        outbox,
        opts,
        record: RecordOptions {
            deterministic: opts.deterministic,
            force: opts.force,
        },
        in_flight: Mutex::new(HashSet::new()),
    };
    let jobs = opts.jobs.max(1);
    let disk_read = Arc::new(AtomicU64::new(0));
    let mut progress =
        progress::Progress::new(opts.progress, inputs::disk_size(paths), opts.progress_every);
    let mut summary = Summary::default();

    let (in_tx, in_rx) = mpsc::sync_channel::<Found>(jobs * 2);
    let (out_tx, out_rx) = mpsc::sync_channel::<Outcome>(jobs * 4);
    let in_rx = Mutex::new(in_rx);
    std::thread::scope(|s| {
        let reader_counter = disk_read.clone();
        s.spawn(move || {
            inputs::walk(
                paths,
                opts.max_file_bytes,
                &reader_counter,
                &mut |found| match in_tx.send(found) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(_) => ControlFlow::Break(()),
                },
            );
        });
        for _ in 0..jobs {
            let out_tx = out_tx.clone();
            let (in_rx, ctx) = (&in_rx, &ctx);
            s.spawn(move || loop {
                let next = match in_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(found) = next else { return };
                if out_tx.send(process(ctx, found)).is_err() {
                    return;
                }
            });
        }
        drop(out_tx);
        loop {
            match out_rx.recv_timeout(Duration::from_millis(250)) {
                Ok(outcome) => tally(&mut summary, &progress, outcome),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            progress.update(&summary.totals, disk_read.load(Ordering::Relaxed));
        }
    });
    progress.finish();

    let t = Instant::now();
    sync_outputs(&ctx.outbox)
        .with_context(|| format!("cannot sync output folder {}", opts.out.display()))?;
    summary.sync = t.elapsed();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn tally(summary: &mut Summary, progress: &progress::Progress, outcome: Outcome) {
    let t = &mut summary.totals;
    match outcome {
        Outcome::Done {
            label,
            articles,
            bytes_in,
            bytes_out,
            bad_lines,
        } => {
            t.files += 1;
            t.articles += articles as u64;
            t.bytes_in += bytes_in;
            t.bytes_out += bytes_out;
            tracing::debug!(input = %label, articles, "replayed");
            if let Some(l) = bad_lines {
                summary.partial += 1;
                progress.println(&format!(
                    "{}: some JSONL lines were skipped ({}); see {}",
                    l.label,
                    l.reason,
                    shown(&l.report)
                ));
            }
        }
        Outcome::Skipped => t.skipped += 1,
        Outcome::Failed(f) => {
            t.failed += 1;
            progress.println(&format!(
                "FAILED {} at {} ({}): {}; report: {} (fix or remove the input and re-run: finished outputs are skipped)",
                f.label,
                f.stage,
                f.code,
                f.reason,
                shown(&f.report)
            ));
            summary.failures.push(f);
        }
    }
}

fn shown(p: &Option<PathBuf>) -> String {
    p.as_ref()
        .map_or_else(|| "(not written)".into(), |p| p.display().to_string())
}

/// One input, start to finish, on a worker thread.
fn process(ctx: &Ctx<'_>, found: Found) -> Outcome {
    let input = match found {
        Found::Input(i) => i,
        Found::Unreadable(u) => {
            return fail(
                ctx,
                &u.label,
                &inputs::base_name(&u.label),
                Failure {
                    stage: u.stage,
                    code: u.code,
                    reason: u.reason,
                    sha256: None,
                },
            )
        }
    };
    let key = crate::stages::short_hash(&input.sha256).to_string();
    {
        let Ok(mut set) = ctx.in_flight.lock() else {
            return Outcome::Skipped;
        };
        if (!ctx.opts.force && ctx.outbox.contains(&input.sha256)) || !set.insert(key.clone()) {
            ctx.failures.clear(&input.label);
            return Outcome::Skipped;
        }
    }
    let outcome = compute_and_write(ctx, input);
    if let Ok(mut set) = ctx.in_flight.lock() {
        set.remove(&key);
    }
    outcome
}

fn compute_and_write(ctx: &Ctx<'_>, input: Input) -> Outcome {
    let Input {
        label,
        name,
        bytes,
        sha256,
    } = input;
    let format = ctx.opts.format.unwrap_or_else(|| Format::for_name(&name));
    let work = steps(
        ctx.models,
        work::from_bytes(&name, bytes, sha256.clone(), format),
        ctx.record,
    );
    match work {
        Work::Done {
            meta,
            records,
            bad_lines,
            bytes_in,
        } => match ctx.outbox.write(&meta.sha256, &records) {
            Ok(path) => {
                ctx.failures.clear(&label);
                let bad_lines = (!bad_lines.is_empty()).then(|| {
                    let reason = bad_lines
                        .iter()
                        .map(|l| format!("line {}: {}", l.line, l.reason))
                        .collect::<Vec<_>>()
                        .join("; ");
                    listed(
                        ctx,
                        &label,
                        &name,
                        Failure {
                            stage: Stage::Read,
                            code: "jsonl.bad_lines".into(),
                            reason: format!("{} bad lines: {reason}", bad_lines.len()),
                            sha256: Some(meta.sha256.clone()),
                        },
                    )
                });
                Outcome::Done {
                    label,
                    articles: records.len(),
                    bytes_in: bytes_in as u64,
                    bytes_out: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
                    bad_lines,
                }
            }
            Err(e) => fail(
                ctx,
                &label,
                &name,
                Failure {
                    stage: Stage::Write,
                    code: "write.io".into(),
                    reason: e.to_string(),
                    sha256: Some(sha256),
                },
            ),
        },
        Work::Failed(f) => fail(ctx, &label, &name, f),
        other => fail(
            ctx,
            &label,
            &name,
            Failure {
                stage: Stage::Write,
                code: "pipeline.incomplete".into(),
                reason: format!(
                    "ended unfinished ({:?}); this is a bug",
                    std::mem::discriminant(&other)
                ),
                sha256: Some(sha256),
            },
        ),
    }
}

/// The daemon's steps in the daemon's order ([`work::run_all`] is exactly this composition),
/// each under `catch_unwind` so a panicking stage fails one input, named, like the daemon.
pub fn steps(models: &Models, work: Work, opts: RecordOptions) -> Work {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let sha = match &work {
        Work::Read { meta, .. } => Some(meta.sha256.clone()),
        _ => None,
    };
    let mut work = work;
    for stage in [Stage::Split, Stage::Clean, Stage::Tag, Stage::Classify] {
        let step = AssertUnwindSafe(move || match stage {
            Stage::Split => work::split(work),
            Stage::Clean => work::clean(work),
            Stage::Tag => work::tag(models, work),
            _ => work::classify(models, work, opts),
        });
        work = match catch_unwind(step) {
            Ok(w) => w,
            Err(payload) => {
                return Work::Failed(work::panicked(stage, payload.as_ref(), sha.clone()))
            }
        };
    }
    work
}

fn listed(ctx: &Ctx<'_>, label: &str, name: &str, f: Failure) -> Listed {
    let report = ErrorReport {
        file: name.to_string(),
        sha256: f.sha256,
        stage: f.stage,
        code: f.code.clone(),
        reason: format!("{} (input: {label})", f.reason),
    };
    let path = match ctx.failures.write(label, &report) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::error!(input = label, error = %e, dir = %ctx.failures.dir().display(), "cannot write the failure report; check that the output folder is writable");
            None
        }
    };
    Listed {
        label: label.to_string(),
        stage: f.stage,
        code: f.code,
        reason: f.reason,
        report: path,
    }
}

fn fail(ctx: &Ctx<'_>, label: &str, name: &str, f: Failure) -> Outcome {
    Outcome::Failed(listed(ctx, label, name, f))
}

/// Makes every output durable at once: each `*.jsonl` file, then the folder. Files already
/// written back by the kernel sync almost for free, so this costs far less than per-file
/// fsync during the run, and memory stays constant (no list of written files is kept).
fn sync_outputs(outbox: &Outbox) -> std::io::Result<()> {
    for entry in std::fs::read_dir(outbox.dir())?.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(".jsonl") {
            std::fs::File::open(entry.path())?.sync_data()?;
        }
    }
    outbox.sync().map_err(std::io::Error::other)?;
    let failed = outbox.dir().join(FAILED_DIR);
    if failed.is_dir() {
        crate::sink::sync_dir(&failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_match_run_all() -> anyhow::Result<()> {
        let models = crate::models::load(&crate::Config::default())?;
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sample_dump.txt"
        ))?;
        let sha = crate::source::read::sha256_hex(&bytes);
        let opts = RecordOptions {
            deterministic: true,
            force: true,
        };
        let mk = || work::from_bytes("p.txt", bytes.clone(), sha.clone(), Format::Dump);
        let records = |w: Work| match w {
            Work::Done { records, .. } => Ok(records),
            other => Err(anyhow::anyhow!("not done: {other:?}")),
        };
        let a = records(steps(&models, mk(), opts))?;
        let b = records(work::run_all(&models, mk(), opts))?;
        assert!(a.len() >= 6);
        assert_eq!(a, b);
        Ok(())
    }
}
