//! Quarantine: a failed input is moved aside under its own name with `<name>.error.json`
//! beside it, saying which stage failed, why, and the input's hash.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::sink::{archive, sync_dir};
use crate::stages::Stage;

/// Contents of `<name>.error.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// The input's file name as it was in the inbox.
    pub file: String,
    /// SHA-256 of the input, when it could be read.
    pub sha256: Option<String>,
    /// The stage that failed.
    pub stage: Stage,
    /// A stable machine-readable code (`decode.undecodable`, `read.too_large`, `stage.panic`, …).
    pub code: String,
    /// What went wrong, for people.
    pub reason: String,
}

/// Moves `input` into `dir` and writes its error report beside it; returns the new path.
///
/// # Errors
/// If the move or the report write fails.
pub fn quarantine(input: &Path, dir: &Path, report: &ErrorReport) -> io::Result<PathBuf> {
    let dest = archive::move_into(input, dir)?;
    write_report(&dest, report)?;
    Ok(dest)
}

/// Writes `<dest>.error.json` atomically (temp, fsync, rename, fsync folder).
///
/// # Errors
/// If the file cannot be written.
pub fn write_report(dest: &Path, report: &ErrorReport) -> io::Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".error.json");
    let final_path = dir.join(&name);
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(&name);
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    let json = serde_json::to_vec_pretty(report).map_err(io::Error::other)?;
    let mut f = fs::File::create(&tmp)?;
    f.write_all(&json)?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    fs::rename(&tmp, &final_path)?;
    sync_dir(dir)
}
