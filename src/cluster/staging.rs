//! Several workers sharing one outbox folder: each writes with [`Outbox`] into its own
//! hidden staging folder inside it (same atomic write, same file name), then renames the
//! finished file into the outbox. Two workers holding the same job (a late redelivery) can
//! never interleave writes into one temp file, and no worker's start-up clean-up touches
//! another's temp files. Readers globbing `outbox/*.jsonl` never see the staging folders.
//!
//! Each staging folder holds an owner lock (`flock(2)` through `File::try_lock`, released by
//! the kernel however the worker exits, `kill -9` included). A starting worker removes the
//! staging folders whose lock nobody holds: their temp files belong to jobs that were never
//! acknowledged, which JetStream delivers again.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;

use crate::record::Record;
use crate::sink::outbox::OutboxError;
use crate::sink::{sync_dir, Outbox};

/// Prefix of the staging folders inside an outbox.
pub const PREFIX: &str = ".staging-";

/// The owner lock inside a staging folder; it exists only while locked by a live worker.
const OWNER_LOCK: &str = ".owner.lock";

/// One worker's view of a shared outbox.
#[derive(Debug, Clone)]
pub struct Staging {
    outbox: Outbox,
    stage: Outbox,
    _owner: Arc<File>,
}

impl Staging {
    /// Creates the outbox if needed and a staging folder private to this process.
    ///
    /// # Errors
    /// If either folder cannot be created.
    pub fn create(dir: &Path) -> anyhow::Result<Staging> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create outbox {}", dir.display()))?;
        let removed = remove_stale(dir);
        if removed > 0 {
            tracing::info!(
                outbox = %dir.display(),
                removed,
                "removed staging folders left by workers that exited without cleaning up"
            );
        }
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let stage_dir = dir.join(format!("{PREFIX}{}-{nanos:09}-{n}", std::process::id()));
        let stage = Outbox::new(stage_dir.clone(), true);
        stage
            .prepare()
            .with_context(|| format!("cannot create staging folder {}", stage_dir.display()))?;
        let owner = lock_owner(&stage_dir)
            .with_context(|| format!("cannot lock staging folder {}", stage_dir.display()))?;
        Ok(Staging {
            outbox: Outbox::new(dir.to_path_buf(), true),
            stage,
            _owner: Arc::new(owner),
        })
    }

    /// Does the outbox already hold the output for this content?
    pub fn contains(&self, sha256: &str) -> bool {
        self.outbox.contains(sha256)
    }

    /// Writes the records durably and moves the file into the outbox; returns its path.
    ///
    /// # Errors
    /// [`OutboxError`] naming the file or folder.
    pub fn publish(&self, sha256: &str, records: &[Record]) -> Result<PathBuf, OutboxError> {
        let staged = self.stage.write(sha256, records)?;
        let dest = self.outbox.path_for(sha256);
        let io = |op, path: &Path, source| OutboxError::Io {
            op,
            path: path.to_path_buf(),
            source,
        };
        std::fs::rename(&staged, &dest).map_err(|e| io("rename", &dest, e))?;
        sync_dir(self.outbox.dir()).map_err(|e| io("sync", self.outbox.dir(), e))?;
        Ok(dest)
    }

    /// Removes the staging folder (at shutdown).
    pub fn remove(&self) {
        let _ = std::fs::remove_dir_all(self.stage.dir());
    }
}

/// Creates and locks the owner lock of `stage_dir`. The file is locked under a temporary
/// name and then renamed, so an `.owner.lock` that exists is always held while its worker
/// lives.
fn lock_owner(stage_dir: &Path) -> std::io::Result<File> {
    let tmp = stage_dir.join(format!("{OWNER_LOCK}.new"));
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)?;
    file.try_lock().map_err(|e| match e {
        TryLockError::Error(e) => e,
        TryLockError::WouldBlock => std::io::Error::other("owner lock already held"),
    })?;
    std::fs::rename(&tmp, stage_dir.join(OWNER_LOCK))?;
    Ok(file)
}

/// Removes the staging folders in `dir` whose owner lock is free (their worker is gone);
/// returns how many. Folders without a lock (being created, or from an older version) and
/// folders that cannot be read are left alone.
fn remove_stale(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let folder = entry.path();
        let Ok(lock) = OpenOptions::new().write(true).open(folder.join(OWNER_LOCK)) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            match std::fs::remove_dir_all(&folder) {
                Ok(()) => removed += 1,
                Err(e) => tracing::warn!(
                    folder = %folder.display(),
                    error = %e,
                    "cannot remove a stale staging folder"
                ),
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_stagings_publish_into_one_outbox() -> anyhow::Result<()> {
        let tmp = tempfile::tempdir()?;
        let a = Staging::create(tmp.path())?;
        let b = Staging::create(tmp.path())?;
        let sha = "ab".repeat(32);
        assert!(!a.contains(&sha));
        let p = a.publish(&sha, &[])?;
        b.publish(&sha, &[])?;
        assert!(b.contains(&sha));
        assert_eq!(p, tmp.path().join(Outbox::file_name(&sha)));
        a.remove();
        b.remove();
        let left: Vec<_> = std::fs::read_dir(tmp.path())?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "only the output remains: {left:?}");
        Ok(())
    }

    #[test]
    fn a_new_worker_removes_only_the_staging_folders_of_workers_that_are_gone() -> anyhow::Result<()>
    {
        let tmp = tempfile::tempdir()?;
        let live = Staging::create(tmp.path())?;
        // A folder left by a worker killed mid-write: an owner lock nobody holds, a temp file.
        let dead = tmp.path().join(format!("{PREFIX}1-000000001-0"));
        std::fs::create_dir(&dead)?;
        std::fs::write(dead.join(OWNER_LOCK), b"")?;
        std::fs::write(dead.join(".x.jsonl.tmp"), b"{")?;
        // A folder without lock (another worker creating it) stays.
        let young = tmp.path().join(format!("{PREFIX}2-000000002-0"));
        std::fs::create_dir(&young)?;
        let next = Staging::create(tmp.path())?;
        assert!(!dead.exists());
        assert!(young.exists());
        assert!(live.stage.dir().join(OWNER_LOCK).exists());
        assert!(next.stage.dir().join(OWNER_LOCK).exists());
        // The live worker's folder survived and still publishes.
        let sha = "cd".repeat(32);
        live.publish(&sha, &[])?;
        assert!(next.contains(&sha));
        live.remove();
        next.remove();
        Ok(())
    }
}
