//! Several workers sharing one outbox folder: each writes with [`Outbox`] into its own
//! hidden staging folder inside it (same atomic write, same file name), then renames the
//! finished file into the outbox. Two workers holding the same job (a late redelivery) can
//! never interleave writes into one temp file, and no worker's start-up clean-up touches
//! another's temp files. Readers globbing `outbox/*.jsonl` never see the staging folders.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;

use crate::record::Record;
use crate::sink::outbox::OutboxError;
use crate::sink::{sync_dir, Outbox};

/// Prefix of the staging folders inside an outbox.
pub const PREFIX: &str = ".staging-";

/// One worker's view of a shared outbox.
#[derive(Debug, Clone)]
pub struct Staging {
    outbox: Outbox,
    stage: Outbox,
}

impl Staging {
    /// Creates the outbox if needed and a staging folder private to this process.
    ///
    /// # Errors
    /// If either folder cannot be created.
    pub fn create(dir: &Path) -> anyhow::Result<Staging> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create outbox {}", dir.display()))?;
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
        Ok(Staging {
            outbox: Outbox::new(dir.to_path_buf(), true),
            stage,
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
}
