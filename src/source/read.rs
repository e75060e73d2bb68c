//! Reading one input file safely: never through a symlink, never a FIFO or device, never
//! more than `max_bytes`, hashing as it reads.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::faults;

/// An input file's bytes and their SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The whole content.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha256: String,
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file vanished before it could be read (not an error of the input).
    #[error("file disappeared before it was read")]
    Vanished,
    /// A symlink, directory, FIFO, socket or device.
    #[error("not a regular file ({0}); only regular files are processed and symlinks are never followed")]
    NotRegular(&'static str),
    /// Larger than the configured limit.
    #[error("file is {size} bytes, over max_file_bytes = {limit}")]
    TooLarge {
        /// Size on disk.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Size changed while reading (truncated or appended to mid-read).
    #[error("file changed while being read (size {expected} at open, {got} bytes read)")]
    Changed {
        /// Size at open.
        expected: u64,
        /// Bytes actually read.
        got: u64,
    },
    /// Any other I/O failure (permissions, disk).
    #[error("cannot read file: {0}")]
    Io(#[source] io::Error),
}

impl ReadError {
    /// A stable code for error reports and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Vanished => "read.vanished",
            ReadError::NotRegular(_) => "read.not_regular",
            ReadError::TooLarge { .. } => "read.too_large",
            ReadError::Changed { .. } => "read.changed",
            ReadError::Io(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                "read.permission_denied"
            }
            ReadError::Io(_) => "read.io",
        }
    }
}

/// Describes a non-regular file type, or `None` for a regular file.
pub fn irregular_kind(meta: &fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_symlink() {
        Some("symlink")
    } else if t.is_dir() {
        Some("directory")
    } else if t.is_fifo() {
        Some("FIFO")
    } else if t.is_socket() {
        Some("socket")
    } else if t.is_block_device() || t.is_char_device() {
        Some("device")
    } else {
        Some("unknown file type")
    }
}

/// Reads `path` whole (at most `max_bytes`) and hashes it.
///
/// # Errors
/// [`ReadError`]; `Vanished` when the file is gone, which callers treat as "nothing to do".
pub fn read_input(path: &Path, max_bytes: u64) -> Result<Input, ReadError> {
    let meta = fs::symlink_metadata(path).map_err(not_found_is_vanished)?;
    if let Some(kind) = irregular_kind(&meta) {
        return Err(ReadError::NotRegular(kind));
    }
    if meta.len() > max_bytes {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit: max_bytes,
        });
    }
    // O_NOFOLLOW: a file swapped for a symlink after the check is refused, not followed;
    // O_NONBLOCK: a file swapped for a FIFO cannot hang the reader.
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if faults::hits("read.permission_denied", &name) {
        return Err(ReadError::Io(io::Error::from_raw_os_error(libc::EACCES)));
    }
    let file: File = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                ReadError::NotRegular("symlink")
            } else {
                not_found_is_vanished(e)
            }
        })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if let Some(kind) = irregular_kind(&meta) {
        return Err(ReadError::NotRegular(kind));
    }
    let expected = meta.len();
    faults::crash_point("read.after_open");
    inject_mid_read(path, &name, expected);
    if expected > max_bytes {
        return Err(ReadError::TooLarge {
            size: expected,
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    // Read one byte past the limit so growth during the read is noticed without reading it all.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    let got = bytes.len() as u64;
    if got > max_bytes {
        return Err(ReadError::TooLarge {
            size: got,
            limit: max_bytes,
        });
    }
    if got != expected {
        return Err(ReadError::Changed { expected, got });
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Input { bytes, sha256 })
}

/// Test seam: a writer truncating or deleting the file between open and read.
fn inject_mid_read(path: &Path, name: &str, size: u64) {
    if faults::hits("read.truncate", name) {
        let _ = OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| f.set_len(size / 2));
    }
    if faults::hits("read.delete", name) {
        let _ = fs::remove_file(path);
    }
}

/// SHA-256 of some bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn not_found_is_vanished(e: io::Error) -> ReadError {
    if e.kind() == io::ErrorKind::NotFound {
        ReadError::Vanished
    } else {
        ReadError::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_hashes_a_regular_file() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("a.txt");
        fs::write(&p, "abc")?;
        let input = read_input(&p, 10).map_err(io::Error::other)?;
        assert_eq!(input.bytes, b"abc");
        assert_eq!(
            input.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        Ok(())
    }

    #[test]
    fn refuses_large_files_symlinks_and_fifos() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("big.txt");
        fs::write(&p, "0123456789")?;
        assert!(matches!(
            read_input(&p, 5),
            Err(ReadError::TooLarge { size: 10, limit: 5 })
        ));
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&p, &link)?;
        assert!(matches!(
            read_input(&link, 100),
            Err(ReadError::NotRegular("symlink"))
        ));
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status()?;
        assert!(made.success());
        assert!(matches!(
            read_input(&fifo, 100),
            Err(ReadError::NotRegular("FIFO"))
        ));
        assert!(matches!(
            read_input(&dir.path().join("gone"), 100),
            Err(ReadError::Vanished)
        ));
        Ok(())
    }
}
