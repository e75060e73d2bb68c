//! The outbox: one JSON Lines file per input, named from the input's content hash, written
//! under a dot-prefixed temp name, fsynced, renamed into place, and the folder fsynced.
//!
//! Readers globbing `*.jsonl` never see a partial file or line. Reprocessing the same bytes
//! rewrites the same file; different inputs never share a name, whatever their file names.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::faults;
use crate::record::Record;
use crate::sink::sync_dir;
use crate::stages::short_hash;

/// Why writing to the outbox failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// A filesystem operation failed.
    #[error("outbox {op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A record could not be serialised.
    #[error("record {index} could not be serialised: {source}")]
    Serialise {
        /// Its index in the input.
        index: usize,
        /// Why.
        source: serde_json::Error,
    },
}

/// A folder receiving JSON Lines files.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
    durable: bool,
}

impl Outbox {
    /// An outbox in `dir`; `durable` fsyncs every file and the folder (off only for replay,
    /// which syncs once at the end instead).
    pub fn new(dir: impl Into<PathBuf>, durable: bool) -> Self {
        Outbox {
            dir: dir.into(),
            durable,
        }
    }

    /// The outbox folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Output file name for an input with this SHA-256: `<first 16 hex digits>.jsonl`.
    pub fn file_name(sha256: &str) -> String {
        format!("{}.jsonl", short_hash(sha256))
    }

    /// Full path of the output for an input with this SHA-256.
    pub fn path_for(&self, sha256: &str) -> PathBuf {
        self.dir.join(Self::file_name(sha256))
    }

    /// Has the output for this SHA-256 already been written completely?
    pub fn contains(&self, sha256: &str) -> bool {
        self.path_for(sha256).is_file()
    }

    /// Creates the folder if needed and removes temp files left by an interrupted run.
    ///
    /// # Errors
    /// If the folder cannot be created or listed.
    pub fn prepare(&self) -> Result<usize, OutboxError> {
        fs::create_dir_all(&self.dir).map_err(|source| self.io("create", &self.dir, source))?;
        let mut removed = 0;
        let entries =
            fs::read_dir(&self.dir).map_err(|source| self.io("list", &self.dir, source))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.')
                && name.ends_with(".jsonl.tmp")
                && fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Writes the records of one input atomically; returns the final path.
    ///
    /// # Errors
    /// [`OutboxError`] naming the file; the temp file is removed on failure.
    pub fn write(&self, sha256: &str, records: &[Record]) -> Result<PathBuf, OutboxError> {
        let final_path = self.write_file(sha256, records)?;
        if self.durable {
            sync_dir(&self.dir).map_err(|source| self.io("sync", &self.dir, source))?;
        }
        Ok(final_path)
    }

    /// Like [`Outbox::write`] but without the folder fsync: the caller calls [`Outbox::sync`]
    /// once for a batch before relying on the renames.
    ///
    /// # Errors
    /// [`OutboxError`] naming the file; the temp file is removed on failure.
    pub fn write_file(&self, sha256: &str, records: &[Record]) -> Result<PathBuf, OutboxError> {
        let name = Self::file_name(sha256);
        let final_path = self.dir.join(&name);
        let tmp_path = self.dir.join(format!(".{name}.tmp"));
        let result = self.write_tmp(&tmp_path, records).and_then(|()| {
            faults::crash_point("outbox.before_rename");
            fs::rename(&tmp_path, &final_path)
                .map_err(|source| self.io("rename", &final_path, source))
        });
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp_path);
            return Err(e);
        }
        faults::crash_point("outbox.after_rename");
        Ok(final_path)
    }

    /// Fsyncs the folder once, after a batch of non-durable writes.
    ///
    /// # Errors
    /// If the folder cannot be synced.
    pub fn sync(&self) -> Result<(), OutboxError> {
        sync_dir(&self.dir).map_err(|source| self.io("sync", &self.dir, source))
    }

    fn write_tmp(&self, tmp: &Path, records: &[Record]) -> Result<(), OutboxError> {
        if faults::take("outbox.full") {
            let source = io::Error::from_raw_os_error(libc::ENOSPC);
            return Err(self.io("create", tmp, source));
        }
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(tmp)
            .map_err(|source| self.io("create", tmp, source))?;
        let mut w = BufWriter::new(file);
        for (i, r) in records.iter().enumerate() {
            let line = r.to_json_line().map_err(|source| OutboxError::Serialise {
                index: r.source.index,
                source,
            })?;
            w.write_all(line.as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|source| self.io("write", tmp, source))?;
            if i == 0 && faults::armed() {
                // Test seam: make the partial temp file real on disk before a crash here.
                let _ = w.flush();
                faults::crash_point("outbox.mid_write");
            }
        }
        let file: File = w
            .into_inner()
            .map_err(|e| self.io("write", tmp, e.into_error()))?;
        if self.durable {
            file.sync_all()
                .map_err(|source| self.io("sync", tmp, source))?;
        }
        Ok(())
    }

    fn io(&self, op: &'static str, path: &Path, source: io::Error) -> OutboxError {
        OutboxError::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }
}
