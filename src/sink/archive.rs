//! Moving inputs out of the inbox once their fate is sealed, without ever overwriting.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::sink::sync_dir;

/// Moves `src` into `dir` under its own name; on a clash a counter goes after the name
/// (`a.txt`, `a.txt.1`, `a.txt.2`, …), never before it. Returns the new path.
///
/// # Errors
/// If the folder cannot be created or the rename fails.
pub fn move_into(src: &Path, dir: &Path) -> io::Result<PathBuf> {
    let dest = free_dest(src, dir)?;
    fs::rename(src, &dest)?;
    sync_dir(dir)?;
    if let Some(parent) = src.parent() {
        sync_dir(parent)?;
    }
    Ok(dest)
}

/// The path `src` would get in `dir` (creating `dir`): its own name, or the first free
/// `name.N`. Only the name is taken from `src` (one path component from a folder listing),
/// so the destination is always directly inside `dir`.
///
/// # Errors
/// If the folder cannot be created or `src` has no file name.
pub fn free_dest(src: &Path, dir: &Path) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let name = src
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "input has no file name"))?;
    let mut dest = dir.join(name);
    let mut n = 0u32;
    while fs::symlink_metadata(&dest).is_ok() || report_exists(&dest) {
        n += 1;
        let mut candidate = name.to_os_string();
        candidate.push(format!(".{n}"));
        dest = dir.join(candidate);
    }
    Ok(dest)
}

/// Is there an error report for `dest` (a quarantined input whose move did not happen)?
fn report_exists(dest: &Path) -> bool {
    let mut name = dest.as_os_str().to_os_string();
    name.push(".error.json");
    fs::symlink_metadata(PathBuf::from(name)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clash_gets_a_suffix_after_the_name() -> io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join("done");
        for round in 0..3 {
            let src = tmp.path().join("a.txt");
            fs::write(&src, format!("{round}"))?;
            let dest = move_into(&src, &dir)?;
            let expected = if round == 0 {
                "a.txt".to_string()
            } else {
                format!("a.txt.{round}")
            };
            assert_eq!(
                dest.file_name().map(|n| n.to_string_lossy().into_owned()),
                Some(expected)
            );
            assert!(!src.exists());
        }
        Ok(())
    }
}
