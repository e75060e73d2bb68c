//! Quarantine: a failed input is moved aside under its own name with `<name>.error.json`
//! beside it, saying which stage failed, why, and the input's hash.

use std::fs;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::faults;
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
/// Everything is durable when this returns.
///
/// # Errors
/// If the move or the report write fails.
pub fn quarantine(input: &Path, dir: &Path, report: &ErrorReport) -> io::Result<PathBuf> {
    let dest = quarantine_unsynced(input, dir, report)?;
    sync_dir(dir)?;
    if let Some(parent) = input.parent() {
        sync_dir(parent)?;
    }
    Ok(dest)
}

/// [`quarantine`] without the final folder fsyncs (the caller syncs once per batch).
///
/// Crash-safe order: the report is written and fsynced under a temp name, the input is moved,
/// then the report is renamed into place. A crash before the move leaves the input in the
/// inbox (it is processed again) and a stray temp that [`recover`] deletes; a crash after it
/// leaves a complete temp report that [`recover`] renames into place.
///
/// # Errors
/// If the report cannot be written or the input moved; the temp report is removed then.
pub fn quarantine_unsynced(input: &Path, dir: &Path, report: &ErrorReport) -> io::Result<PathBuf> {
    let dest = archive::free_dest(input, dir)?;
    let tmp = tmp_report_path(&dest);
    write_file(&tmp, report)?;
    faults::crash_point("quarantine.after_report");
    if let Err(e) = fs::rename(input, &dest) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    faults::crash_point("quarantine.after_move");
    fs::rename(&tmp, report_path(&dest))?;
    Ok(dest)
}

/// Writes `<dest>.error.json` atomically (temp, fsync, rename, fsync folder).
///
/// # Errors
/// If the file cannot be written.
pub fn write_report(dest: &Path, report: &ErrorReport) -> io::Result<()> {
    let tmp = tmp_report_path(dest);
    write_file(&tmp, report)?;
    fs::rename(&tmp, report_path(dest))?;
    sync_dir(dest.parent().unwrap_or(Path::new(".")))
}

/// Finishes what a crash interrupted in the quarantine folder: a temp report whose input was
/// already moved is renamed into place; one whose input never arrived is deleted.
/// Returns how many were completed.
///
/// # Errors
/// If the folder cannot be listed.
pub fn recover(dir: &Path) -> io::Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut completed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let bytes = name.as_bytes();
        let Some(input) = bytes
            .strip_prefix(b".")
            .and_then(|b| b.strip_suffix(b".error.json.tmp"))
        else {
            continue;
        };
        let input = dir.join(std::ffi::OsStr::from_bytes(input));
        if fs::symlink_metadata(&input).is_ok() && !report_path(&input).exists() {
            fs::rename(entry.path(), report_path(&input))?;
            completed += 1;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    sync_dir(dir)?;
    Ok(completed)
}

fn report_path(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_os_string();
    name.push(".error.json");
    PathBuf::from(name)
}

fn tmp_report_path(dest: &Path) -> PathBuf {
    let dir = dest.parent().unwrap_or(Path::new("."));
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(dest.file_name().unwrap_or_default());
    tmp_name.push(".error.json.tmp");
    dir.join(tmp_name)
}

fn write_file(path: &Path, report: &ErrorReport) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(report).map_err(io::Error::other)?;
    let mut f = fs::File::create(path)?;
    f.write_all(&json)?;
    f.write_all(b"\n")?;
    f.sync_all()
}
