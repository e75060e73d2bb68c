//! The inbox watcher: finds complete files and hands each to the pipeline exactly once.
//!
//! Discovery never depends on notifications alone: the folder is scanned in full at start-up,
//! whenever notify reports an overflow or rescan, when its event queue fills, and every
//! `rescan_interval`. A file renamed into the inbox (the recommended hand-off) or closed after
//! writing is ready at once; one seen any other way is ready when its size and mtime have
//! been stable for `settle`. A file stays claimed (in [`InFlight`]) until the pipeline has
//! archived or quarantined it, so a scan and an event never process it twice.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::faults;
use crate::telemetry::events;

/// Is this inbox entry ignored? Dotfiles (including the state, archive and quarantine
/// folders), `*.tmp`, `*.part` and `~*` are in-progress or private by convention.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('~')
        || name.ends_with(".tmp")
        || name.ends_with(".part")
}

/// The set of inbox paths currently claimed by the pipeline.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<Mutex<HashSet<PathBuf>>>);

/// Holds a claim on one inbox path; dropping it releases the claim.
#[derive(Debug)]
pub struct Claim {
    path: PathBuf,
    set: InFlight,
}

impl InFlight {
    /// Claims `path` unless it is already claimed.
    pub fn claim(&self, path: &Path) -> Option<Claim> {
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        set.insert(path.to_path_buf()).then(|| Claim {
            path: path.to_path_buf(),
            set: self.clone(),
        })
    }

    /// Is `path` claimed?
    pub fn contains(&self, path: &Path) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(path)
    }

    /// Number of claimed paths.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when nothing is claimed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Claim {
    /// The claimed inbox path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.set
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.path);
    }
}

/// Watcher settings.
#[derive(Debug, Clone)]
pub struct InboxOptions {
    /// The folder watched.
    pub dir: PathBuf,
    /// Stability period for files not handed off by rename or close.
    pub settle: Duration,
    /// Period of full rescans.
    pub rescan_interval: Duration,
}

/// Why the watcher could not start.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// The inbox folder is missing or unreadable.
    #[error("inbox {path} is not a readable folder: {source}")]
    Folder {
        /// The inbox.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A file seen but not yet known to be complete.
#[derive(Debug, Clone, Copy)]
struct Pending {
    size: u64,
    mtime: Option<SystemTime>,
    since: Instant,
}

/// Capacity of the queue between notify's thread and the watcher; when full, events are
/// dropped and a rescan is scheduled instead, so a burst cannot grow memory.
const EVENT_QUEUE: usize = 4096;

/// Watches the inbox until `cancel` fires, sending each ready file's claim to `ready`.
///
/// # Errors
/// [`InboxError`] if the folder cannot be listed at start-up. Notification failures later
/// are logged and covered by periodic rescans.
pub async fn watch(
    opts: InboxOptions,
    in_flight: InFlight,
    ready: mpsc::Sender<Claim>,
    cancel: CancellationToken,
) -> Result<(), InboxError> {
    std::fs::read_dir(&opts.dir).map_err(|source| InboxError::Folder {
        path: opts.dir.clone(),
        source,
    })?;
    let (ev_tx, mut ev_rx) = mpsc::channel::<Event>(EVENT_QUEUE);
    let overflow = Arc::new(AtomicBool::new(false));
    let overflow_cb = overflow.clone();
    // Test seam: `watch.overflow` drops every event as an overflowing kernel queue would.
    let drop_all = faults::on("watch.overflow");
    let watcher = notify::recommended_watcher(move |res: notify::Result<Event>| match res {
        Ok(ev) => {
            if drop_all || ev.need_rescan() || ev_tx.try_send(ev).is_err() {
                overflow_cb.store(true, Ordering::Relaxed);
            }
        }
        Err(e) => {
            events::watch_error(&e.to_string());
            overflow_cb.store(true, Ordering::Relaxed);
        }
    });
    // Keep the watcher alive for the whole loop; without it, scans alone still find files.
    // Test seam: `watch.unavailable` acts as if inotify limits were exhausted.
    let watcher = if faults::on("watch.unavailable") {
        Err(notify::Error::generic(
            "inotify watch limit reached (injected by PRESSWIRE_FAULTS)",
        ))
    } else {
        watcher
    };
    let _watcher = match watcher
        .and_then(|mut w| w.watch(&opts.dir, RecursiveMode::NonRecursive).map(|()| w))
    {
        Ok(w) => Some(w),
        Err(e) => {
            events::watch_error(&format!(
                "cannot watch {} ({e}); falling back to rescans every {:?}",
                opts.dir.display(),
                opts.rescan_interval
            ));
            None
        }
    };
    let mut state = Tracker::default();
    let tick = (opts.settle / 2).clamp(Duration::from_millis(20), Duration::from_millis(500));
    let mut ticker = tokio::time::interval(tick);
    let mut rescan = tokio::time::interval(opts.rescan_interval);
    rescan.tick().await; // the first tick is immediate; the start-up scan is explicit below
    state.scan(&opts, &in_flight);
    events::ready();
    loop {
        let batch = state.take_ready(&in_flight);
        for claim in batch {
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                sent = ready.send(claim) => if sent.is_err() { return Ok(()) },
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            ev = ev_rx.recv() => match ev {
                Some(ev) => state.on_event(ev),
                None => return Ok(()),
            },
            _ = ticker.tick() => state.promote(opts.settle),
            _ = rescan.tick() => state.scan(&opts, &in_flight),
        }
        if overflow.swap(false, Ordering::Relaxed) {
            events::rescan("notification queue overflowed or watcher asked for a rescan");
            state.scan(&opts, &in_flight);
        }
        metrics::gauge!("presswire_inbox_backlog")
            .set((state.pending.len() + state.ready.len()) as f64);
    }
}

/// What the watcher knows about files in the inbox.
#[derive(Debug, Default)]
struct Tracker {
    pending: HashMap<PathBuf, Pending>,
    ready: Vec<PathBuf>,
}

impl Tracker {
    /// Lists the folder and tracks every candidate not already claimed.
    fn scan(&mut self, opts: &InboxOptions, in_flight: &InFlight) {
        let Ok(entries) = std::fs::read_dir(&opts.dir) else {
            events::watch_error(&format!("cannot list inbox {}", opts.dir.display()));
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if is_ignored(&entry.file_name().to_string_lossy())
                || in_flight.contains(&path)
                || self.ready.contains(&path)
            {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if !meta.file_type().is_file() {
                // Directories, links, FIFOs: the read stage quarantines them; never wait on them.
                self.mark_ready(path);
                continue;
            }
            let mtime = meta.modified().ok();
            let settled = mtime
                .and_then(|m| SystemTime::now().duration_since(m).ok())
                .is_some_and(|age| age >= opts.settle);
            if settled {
                self.mark_ready(path);
            } else {
                self.pending.entry(path).or_insert(Pending {
                    size: meta.len(),
                    mtime,
                    since: Instant::now(),
                });
            }
        }
    }

    fn on_event(&mut self, ev: Event) {
        let eligible = |p: &Path| {
            p.file_name()
                .is_some_and(|n| !is_ignored(&n.to_string_lossy()))
        };
        match ev.kind {
            EventKind::Modify(ModifyKind::Name(RenameMode::To))
            | EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for p in ev.paths.into_iter().filter(|p| eligible(p)) {
                    self.mark_ready(p);
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                let mut paths = ev.paths.into_iter();
                if let Some(from) = paths.next() {
                    self.forget(&from);
                }
                if let Some(to) = paths.next().filter(|p| eligible(p)) {
                    self.mark_ready(to);
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::From)) | EventKind::Remove(_) => {
                for p in &ev.paths {
                    self.forget(p);
                }
            }
            EventKind::Create(CreateKind::Folder) => {
                for p in ev.paths.into_iter().filter(|p| eligible(p)) {
                    self.mark_ready(p);
                }
            }
            EventKind::Create(_) | EventKind::Modify(_) => {
                for p in ev.paths.into_iter().filter(|p| eligible(p)) {
                    self.observe(p);
                }
            }
            _ => {}
        }
    }

    /// A write was seen: restart the file's stability clock.
    fn observe(&mut self, path: PathBuf) {
        if self.ready.contains(&path) {
            return;
        }
        let meta = std::fs::symlink_metadata(&path).ok();
        self.pending.insert(
            path,
            Pending {
                size: meta.as_ref().map_or(0, |m| m.len()),
                mtime: meta.and_then(|m| m.modified().ok()),
                since: Instant::now(),
            },
        );
    }

    /// Moves stable pending files to ready.
    fn promote(&mut self, settle: Duration) {
        let mut done = Vec::new();
        for (path, p) in &mut self.pending {
            match std::fs::symlink_metadata(path) {
                Err(_) => done.push((path.clone(), false)),
                Ok(m) => {
                    let (size, mtime) = (m.len(), m.modified().ok());
                    if size != p.size || mtime != p.mtime {
                        *p = Pending {
                            size,
                            mtime,
                            since: Instant::now(),
                        };
                    } else if p.since.elapsed() >= settle {
                        done.push((path.clone(), true));
                    }
                }
            }
        }
        for (path, ok) in done {
            self.pending.remove(&path);
            if ok {
                self.ready.push(path);
            }
        }
    }

    fn mark_ready(&mut self, path: PathBuf) {
        self.pending.remove(&path);
        if !self.ready.contains(&path) {
            self.ready.push(path);
        }
    }

    fn forget(&mut self, path: &Path) {
        self.pending.remove(path);
        self.ready.retain(|p| p != path);
    }

    /// Claims every ready file that still exists and is not already in flight.
    fn take_ready(&mut self, in_flight: &InFlight) -> Vec<Claim> {
        std::mem::take(&mut self.ready)
            .into_iter()
            .filter(|p| std::fs::symlink_metadata(p).is_ok())
            .filter_map(|p| in_flight.claim(&p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_rules() {
        for name in [".hidden", ".done", "x.tmp", "x.part", "~lock"] {
            assert!(is_ignored(name), "{name}");
        }
        for name in ["dump.txt", "a.jsonl", "-leading-dash", "with space.txt"] {
            assert!(!is_ignored(name), "{name}");
        }
    }

    #[test]
    fn a_path_is_claimed_once_until_released() {
        let set = InFlight::default();
        let p = Path::new("/inbox/a.txt");
        let first = set.claim(p);
        assert!(first.is_some());
        assert!(set.claim(p).is_none());
        drop(first);
        assert!(set.claim(p).is_some());
    }

    #[test]
    fn scan_and_rename_event_yield_one_claim() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "x")?;
        let opts = InboxOptions {
            dir: dir.path().to_path_buf(),
            settle: Duration::ZERO,
            rescan_interval: Duration::from_secs(30),
        };
        let set = InFlight::default();
        let mut t = Tracker::default();
        t.scan(&opts, &set);
        t.on_event(
            Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::To))).add_path(p.clone()),
        );
        let claims = t.take_ready(&set);
        assert_eq!(claims.len(), 1);
        t.scan(&opts, &set);
        assert!(
            t.take_ready(&set).is_empty(),
            "claimed file must not be handed out again"
        );
        Ok(())
    }
}
