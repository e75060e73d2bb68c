//! Sealing finished work, a batch at a time, in the one order that makes a crash at any
//! instant harmless (see `docs/GUARANTEES.md`):
//!
//! 1. every output is written (temp → fsync → rename, in parallel so the disk can group the
//!    fsyncs), then the outbox folder is fsynced once;
//! 2. the ledger records the whole batch in one durable transaction;
//! 3. inputs are archived (or deleted) or quarantined, then their folders are fsynced once.
//!
//! An input therefore leaves the inbox only after its output and its ledger entry are durable.
//! A transient failure (full or read-only outbox, ledger busy) returns the job for a retry with
//! its input untouched; only a failure of the input itself sends it to quarantine.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::config::{ArchiveMode, Config};
use crate::faults;
use crate::ledger::{Action, Entry, Ledger};
use crate::sink::outbox::OutboxError;
use crate::sink::quarantine::{self, ErrorReport};
use crate::sink::{archive, sync_dir, Outbox};
use crate::stages::Stage;
use crate::telemetry::events;
use crate::work::{Failure, Work};

/// One input whose stages are over, waiting to be sealed.
pub struct Finished {
    /// Its path in the inbox.
    pub path: PathBuf,
    /// Its file name, for records, logs and reports.
    pub name: String,
    /// When it entered the pipeline.
    pub started: Instant,
    /// The outcome of its stages.
    pub work: Work,
    /// Whatever must live until the input has left the inbox (its claim, its in-flight permit).
    pub hold: Box<dyn Send>,
}

/// What sealing needs.
pub struct Sealer<'a> {
    /// Folders and archive mode.
    pub config: &'a Config,
    /// Where outputs go.
    pub outbox: &'a Outbox,
    /// The content ledger.
    pub ledger: &'a Ledger,
    /// Rewrite outputs even for content already done (`run --force`).
    pub force: bool,
}

/// A job to try again later, and why.
pub type Retry = (Finished, String);

enum Plan {
    Write,
    Duplicate { recovered: bool },
    Quarantine(Failure),
    Vanished,
}

/// Seals a batch; returns the jobs that hit a transient failure, inputs untouched.
pub fn seal(s: &Sealer<'_>, jobs: Vec<Finished>) -> Vec<Retry> {
    let mut plans = match plan(s, &jobs) {
        Ok(p) => p,
        Err(e) => return retry_all(jobs, &e),
    };

    // 1. Outputs, in parallel, then one folder fsync.
    let results = write_outputs(s.outbox, &jobs, &plans);
    let mut failed: Vec<Option<String>> = vec![None; jobs.len()];
    let mut written: Vec<Option<PathBuf>> = vec![None; jobs.len()];
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Some(Ok(p)) => written[i] = Some(p),
            Some(Err(OutboxError::Serialise { index, source })) => {
                plans[i] = Plan::Quarantine(Failure {
                    stage: Stage::Write,
                    code: "write.serialise".into(),
                    reason: format!("record {index} could not be serialised: {source}"),
                    sha256: sha_of(&jobs[i].work),
                });
            }
            Some(Err(e)) => failed[i] = Some(e.to_string()),
            None => {}
        }
    }
    if written.iter().any(Option::is_some) {
        if let Err(e) = s.outbox.sync() {
            for (i, w) in written.iter_mut().enumerate() {
                if w.take().is_some() {
                    failed[i] = Some(e.to_string());
                }
            }
        }
        faults::crash_point("ledger.before_done");
    }

    // 2. The ledger, one transaction.
    let mut entries = Vec::new();
    for (i, (job, plan)) in jobs.iter().zip(&plans).enumerate() {
        if failed[i].is_some() {
            continue;
        }
        match entry(s, job, plan, written[i].as_deref()) {
            Ok(Some(e)) => entries.push(e),
            Ok(None) => {}
            Err(e) => failed[i] = Some(e),
        }
    }
    if let Err(e) = s.ledger.record(&entries) {
        let msg = e.to_string();
        return jobs
            .into_iter()
            .zip(failed)
            .map(|(j, f)| {
                let why = f.unwrap_or_else(|| msg.clone());
                (j, why)
            })
            .collect();
    }
    if entries.iter().any(|e| e.action != Action::Quarantined) {
        faults::crash_point("ledger.after_done");
    }
    if entries.iter().any(|e| e.action == Action::Quarantined) {
        faults::crash_point("ledger.after_failed");
    }

    // 3. Inputs leave the inbox; folders fsynced once.
    let mut retry = Vec::new();
    let mut touched = Touched::default();
    for ((job, plan), (fail, out)) in jobs
        .into_iter()
        .zip(plans)
        .zip(failed.into_iter().zip(written))
    {
        if let Some(why) = fail {
            retry.push((job, why));
            continue;
        }
        dispose(s, job, plan, out, &mut touched);
    }
    touched.sync(s.config);
    retry
}

fn retry_all(jobs: Vec<Finished>, why: &str) -> Vec<Retry> {
    jobs.into_iter().map(|j| (j, why.to_string())).collect()
}

fn sha_of(work: &Work) -> Option<String> {
    match work {
        Work::Done { meta, .. } => Some(meta.sha256.clone()),
        Work::Duplicate { sha256 } => Some(sha256.clone()),
        Work::Failed(f) => f.sha256.clone(),
        _ => None,
    }
}

/// Decides each job's fate. Content already done (in the ledger, or earlier in this batch)
/// becomes a duplicate unless forced; a duplicate the ledger does not know was written by a run
/// that crashed before recording it, and is recorded as recovered.
fn plan(s: &Sealer<'_>, jobs: &[Finished]) -> Result<Vec<Plan>, String> {
    let mut batch = HashSet::new();
    let mut plans = Vec::with_capacity(jobs.len());
    for job in jobs {
        let plan = match &job.work {
            Work::Done { meta, .. } => {
                let sha = &meta.sha256;
                if !batch.insert(sha.clone())
                    || (!s.force && s.ledger.is_done(sha).map_err(|e| e.to_string())?)
                {
                    Plan::Duplicate { recovered: false }
                } else {
                    Plan::Write
                }
            }
            Work::Duplicate { sha256 } => {
                let known = batch.contains(sha256)
                    || s.ledger.is_done(sha256).map_err(|e| e.to_string())?;
                batch.insert(sha256.clone());
                Plan::Duplicate { recovered: !known }
            }
            Work::Failed(f) => Plan::Quarantine(f.clone()),
            Work::Vanished => Plan::Vanished,
            other => Plan::Quarantine(Failure {
                stage: Stage::Write,
                code: "pipeline.incomplete".into(),
                reason: format!(
                    "reached the sink unfinished ({:?}); this is a bug",
                    std::mem::discriminant(other)
                ),
                sha256: None,
            }),
        };
        plans.push(plan);
    }
    Ok(plans)
}

fn write_outputs(
    outbox: &Outbox,
    jobs: &[Finished],
    plans: &[Plan],
) -> Vec<Option<Result<PathBuf, OutboxError>>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .zip(plans)
            .map(|(job, plan)| match (plan, &job.work) {
                (Plan::Write, Work::Done { meta, records, .. }) => {
                    Some(scope.spawn(move || outbox.write_file(&meta.sha256, records)))
                }
                _ => None,
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(OutboxError::Io {
                            op: "write",
                            path: outbox.dir().to_path_buf(),
                            source: std::io::Error::other("output writer thread panicked"),
                        })
                    })
                })
            })
            .collect()
    })
}

/// The ledger entry for one job (none for a vanished input).
fn entry(
    s: &Sealer<'_>,
    job: &Finished,
    plan: &Plan,
    written: Option<&Path>,
) -> Result<Option<Entry>, String> {
    let shown = |p: &Path| p.display().to_string();
    Ok(Some(match (plan, &job.work) {
        (
            Plan::Write,
            Work::Done {
                meta,
                records,
                bad_lines,
                ..
            },
        ) => {
            let action = if s.force {
                Action::Forced
            } else {
                Action::Done
            };
            let mut e = Entry::new(action, &job.name, Some(&meta.sha256));
            e.output = written.map(shown);
            e.articles = Some(records.len() as u64);
            if !bad_lines.is_empty() {
                e.code = Some("jsonl.bad_lines".into());
                e.reason = Some(bad_lines_reason(bad_lines));
            }
            e
        }
        (Plan::Duplicate { recovered }, work) => {
            let sha = sha_of(work).unwrap_or_default();
            let action = if *recovered {
                Action::Recovered
            } else {
                Action::Duplicate
            };
            let mut e = Entry::new(action, &job.name, Some(&sha));
            e.output = Some(shown(&s.outbox.path_for(&sha)));
            e
        }
        (Plan::Quarantine(f), _) => {
            let dest = archive::free_dest(&job.path, &s.config.quarantine_dir())
                .map_err(|e| format!("cannot prepare quarantine: {e}"))?;
            let mut e = Entry::new(Action::Quarantined, &job.name, f.sha256.as_deref());
            e.output = Some(shown(&dest));
            e.stage = Some(f.stage.as_str().into());
            e.code = Some(f.code.clone());
            e.reason = Some(f.reason.clone());
            e
        }
        _ => return Ok(None),
    }))
}

fn bad_lines_reason(bad: &[crate::source::jsonl::LineError]) -> String {
    bad.iter()
        .map(|l| format!("line {}: {}", l.line, l.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Folders whose entries changed in this batch, to fsync once at the end.
#[derive(Default)]
struct Touched {
    archive: bool,
    quarantine: bool,
    inbox: bool,
}

impl Touched {
    fn sync(&self, config: &Config) {
        let mut dirs = Vec::new();
        if self.archive {
            dirs.push(config.archive_dir());
        }
        if self.quarantine {
            dirs.push(config.quarantine_dir());
        }
        if self.inbox {
            dirs.push(config.inbox.clone());
        }
        for d in dirs {
            if let Err(e) = sync_dir(&d) {
                events::archive_failed(&d.display().to_string(), &format!("fsync: {e}"));
            }
        }
        if self.archive || self.inbox {
            faults::crash_point("archive.after_move");
        }
    }
}

/// Moves one input out of the inbox according to its plan, and logs the outcome.
fn dispose(s: &Sealer<'_>, job: Finished, plan: Plan, written: Option<PathBuf>, t: &mut Touched) {
    match (plan, job.work) {
        (
            Plan::Write,
            Work::Done {
                meta,
                records,
                bad_lines,
                bytes_in,
            },
        ) => {
            if !bad_lines.is_empty() {
                let report = ErrorReport {
                    file: job.name.clone(),
                    sha256: Some(meta.sha256.clone()),
                    stage: Stage::Read,
                    code: "jsonl.bad_lines".into(),
                    reason: bad_lines_reason(&bad_lines),
                };
                let where_to = archive::free_dest(&job.path, &s.config.quarantine_dir())
                    .and_then(|dest| quarantine::write_report(&dest, &report).map(|()| dest));
                let shown = match where_to {
                    Ok(dest) => format!("{}.error.json", dest.display()),
                    Err(e) => format!("report not written: {e}"),
                };
                events::jsonl_bad_lines(&job.name, bad_lines.len(), &shown);
            }
            retire(s.config, &job.path, &job.name, t);
            let bytes_out = written
                .as_deref()
                .and_then(|p| std::fs::metadata(p).ok())
                .map_or(0, |m| m.len());
            let mut cats = BTreeMap::new();
            for r in &records {
                *cats.entry(r.category.label.clone()).or_insert(0) += 1;
            }
            events::dump_done(
                &job.name,
                &meta.sha256,
                records.len(),
                &cats,
                bytes_in,
                bytes_out,
                job.started.elapsed(),
            );
        }
        (Plan::Duplicate { recovered }, work) => {
            let sha = sha_of(&work).unwrap_or_default();
            retire(s.config, &job.path, &job.name, t);
            if recovered {
                events::dump_recovered(&job.name, &sha);
            } else {
                events::dump_duplicate(&job.name, &sha);
            }
        }
        (Plan::Quarantine(f), _) => {
            let report = ErrorReport {
                file: job.name.clone(),
                sha256: f.sha256.clone(),
                stage: f.stage,
                code: f.code.clone(),
                reason: f.reason.clone(),
            };
            t.quarantine = true;
            t.inbox = true;
            let dest =
                quarantine::quarantine_unsynced(&job.path, &s.config.quarantine_dir(), &report)
                    .map_or_else(
                        |e| format!("(could not move: {e})"),
                        |d| d.display().to_string(),
                    );
            events::dump_quarantined(&job.name, f.stage.as_str(), &f.code, &f.reason, &dest);
        }
        (Plan::Vanished, _) => events::dump_vanished(&job.name),
        (Plan::Write, _) => {}
    }
    drop(job.hold);
}

/// Archives or deletes a processed input (folders are fsynced by the caller).
fn retire(config: &Config, path: &Path, name: &str, t: &mut Touched) {
    t.inbox = true;
    let result = match config.archive {
        ArchiveMode::Move => {
            t.archive = true;
            archive::free_dest(path, &config.archive_dir())
                .and_then(|dest| std::fs::rename(path, dest))
        }
        ArchiveMode::Delete => std::fs::remove_file(path),
    };
    if let Err(e) = result {
        events::archive_failed(name, &e.to_string());
    }
}
