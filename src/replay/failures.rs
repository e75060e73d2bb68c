//! Replay failures: each is written as `<out>/.failed/<label>.error.json` (the daemon's
//! [`ErrorReport`] format) and listed in the summary. The dot-folder keeps the outbox's
//! `*.jsonl` glob clean. Report names derive from the input's label, so a re-run that
//! succeeds removes the stale report, and the folder always describes the latest attempts.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::sink::quarantine::{write_report, ErrorReport};
use crate::stages::Stage;

/// Name of the failure folder inside `--out`.
pub const FAILED_DIR: &str = ".failed";

/// How many failures the summary keeps in memory (all are on disk).
const LISTED: usize = 1000;

/// One failure as the summary lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Where the input came from.
    pub label: String,
    /// Stage that failed.
    pub stage: Stage,
    /// Stable code.
    pub code: String,
    /// Why.
    pub reason: String,
    /// The report file, if it could be written.
    pub report: Option<PathBuf>,
}

/// The failure folder of one replay.
pub struct Failures {
    dir: PathBuf,
    /// Report file names present before this run (candidates for clean-up on success).
    stale: Mutex<HashSet<String>>,
}

impl Failures {
    /// The failure folder of `out`, remembering which reports already exist.
    pub fn open(out: &Path) -> Failures {
        let dir = out.join(FAILED_DIR);
        let stale = fs::read_dir(&dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        Failures {
            dir,
            stale: Mutex::new(stale),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the report for a failed input; returns its path.
    ///
    /// # Errors
    /// If the folder or the file cannot be written.
    pub fn write(&self, label: &str, report: &ErrorReport) -> io::Result<PathBuf> {
        fs::create_dir_all(&self.dir)?;
        let dest = self.dir.join(file_stem(label));
        write_report(&dest, report)?;
        let mut path = dest.into_os_string();
        path.push(".error.json");
        Ok(PathBuf::from(path))
    }

    /// An input succeeded: remove the report an earlier run left for it, if any.
    pub fn clear(&self, label: &str) {
        let name = format!("{}.error.json", file_stem(label));
        let had = self
            .stale
            .lock()
            .map(|mut s| s.remove(&name))
            .unwrap_or(false);
        if had {
            let _ = fs::remove_file(self.dir.join(name));
        }
    }
}

/// A file name for a label: folders and archive separators flattened, so a report never
/// lands outside the failure folder (`dumps/2018.tgz!01/a.txt` → `dumps_2018.tgz!01_a.txt`).
pub fn file_stem(label: &str) -> String {
    let s: String = label
        .trim_start_matches("./")
        .chars()
        .map(|c| if c == '/' || c == '\0' { '_' } else { c })
        .collect();
    let s = s.trim_start_matches(['.', '_']);
    if s.is_empty() {
        "input".to_string()
    } else {
        // Names stay within common filesystem limits (255 bytes with the suffix).
        let mut end = s.len().min(200);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].to_string()
    }
}

/// The failures kept for the summary: the first [`LISTED`] in full, the rest counted.
#[derive(Debug, Default)]
pub struct List {
    /// The failures listed in full.
    pub shown: Vec<Listed>,
    /// How many more there were.
    pub more: u64,
}

impl List {
    /// Adds one failure.
    pub fn push(&mut self, f: Listed) {
        if self.shown.len() < LISTED {
            self.shown.push(f);
        } else {
            self.more += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_stay_inside_the_folder() {
        assert_eq!(
            file_stem("dumps/2018.tgz!01/a.txt"),
            "dumps_2018.tgz!01_a.txt"
        );
        assert_eq!(file_stem("/abs/x.txt"), "abs_x.txt");
        assert_eq!(file_stem("../../etc/passwd"), "etc_passwd");
        assert_eq!(file_stem("./a.txt"), "a.txt");
        assert!(!file_stem(&"字".repeat(200)).is_empty());
        assert!(file_stem(&"字".repeat(200)).len() <= 200);
    }
}
