//! The daemon lock: one running `presswire run` per inbox and per state folder.
//!
//! Two locks are taken with `flock(2)` (through `std::fs::File::try_lock`), both released by
//! the kernel when the process exits, however it exits (`kill -9` included), so a stale lock
//! never blocks a restart:
//! - `<state_dir>/daemon.lock`, a file that also records the holder's pid for messages;
//! - the inbox folder itself (a lock on the directory's own descriptor), so two daemons with
//!   different state folders still cannot share one inbox, and nothing is added to the inbox.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Name of the lock file in the state folder.
pub const FILE_NAME: &str = "daemon.lock";

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another daemon holds it.
    #[error("{what} {path} is already in use by another presswire daemon{holder}; stop it first, or give this one its own inbox and state_dir")]
    Busy {
        /// "inbox" or "state folder".
        what: &'static str,
        /// The folder.
        path: PathBuf,
        /// " (pid N)" when known.
        holder: String,
    },
    /// The lock file or folder could not be opened.
    #[error("cannot lock {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Held locks; dropping this releases them.
#[derive(Debug)]
pub struct DaemonLock {
    _state: File,
    _inbox: File,
}

impl DaemonLock {
    /// Takes both locks or neither.
    ///
    /// # Errors
    /// [`LockError::Busy`] when another daemon runs on the same inbox or state folder.
    pub fn acquire(inbox: &Path, state_dir: &Path) -> Result<DaemonLock, LockError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LockError::Io { path, source }
        };
        std::fs::create_dir_all(state_dir).map_err(io(state_dir))?;
        let lock_path = state_dir.join(FILE_NAME);
        let mut state = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match state.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Busy {
                    what: "state folder",
                    path: state_dir.to_path_buf(),
                    holder: holder(&mut state),
                })
            }
            Err(TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        let inbox_dir = File::open(inbox).map_err(io(inbox))?;
        match inbox_dir.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Busy {
                    what: "inbox",
                    path: inbox.to_path_buf(),
                    holder: String::new(),
                })
            }
            Err(TryLockError::Error(e)) => return Err(io(inbox)(e)),
        }
        let pid = std::process::id().to_string();
        state
            .set_len(0)
            .and_then(|()| state.rewind())
            .and_then(|()| state.write_all(pid.as_bytes()))
            .map_err(io(&lock_path))?;
        Ok(DaemonLock {
            _state: state,
            _inbox: inbox_dir,
        })
    }
}

impl Drop for DaemonLock {
    fn drop(&mut self) {
        // A clean exit forgets the pid; after `kill -9` it stays, and `status` checks it.
        let _ = self._state.set_len(0);
    }
}

/// The pid recorded in a lock file, or `None`.
pub fn recorded_pid(state_dir: &Path) -> Option<u32> {
    std::fs::read_to_string(state_dir.join(FILE_NAME))
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

fn holder(file: &mut File) -> String {
    let mut s = String::new();
    match file.read_to_string(&mut s).map(|_| s.trim().parse::<u32>()) {
        Ok(Ok(pid)) => format!(" (pid {pid})"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_the_same_inbox_or_state_is_refused() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let inbox = tmp.path().join("in");
        std::fs::create_dir_all(&inbox)?;
        let first = DaemonLock::acquire(&inbox, &tmp.path().join("s1"));
        assert!(first.is_ok());
        let same_state = DaemonLock::acquire(&tmp.path().join("s1"), &tmp.path().join("s1"));
        assert!(
            matches!(same_state, Err(LockError::Busy { what: "state folder", ref holder, .. }) if holder.contains(&std::process::id().to_string())),
            "{same_state:?}"
        );
        let same_inbox = DaemonLock::acquire(&inbox, &tmp.path().join("s2"));
        assert!(matches!(
            same_inbox,
            Err(LockError::Busy { what: "inbox", .. })
        ));
        drop(first);
        assert!(DaemonLock::acquire(&inbox, &tmp.path().join("s2")).is_ok());
        Ok(())
    }
}
