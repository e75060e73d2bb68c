//! Finding replay inputs: folders walked recursively, `.tar`, `.tar.gz`/`.tgz` and `.zip`
//! archives streamed member by member. Only one member at a time is in memory (at most
//! `max_file_bytes`); an archive itself is never loaded whole.
//!
//! Names follow the inbox's rules: dotfiles, `*.tmp`, `*.part` and `~*` are skipped, in
//! folders and inside archives alike, and so is anything below a dot-folder. Archives found
//! inside a folder are expanded too; an archive inside an archive is read as a plain input.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::source::inbox::is_ignored;
use crate::source::read::{read_input, sha256_hex, ReadError};
use crate::stages::Stage;

/// One input found by the walker, read whole and hashed.
#[derive(Debug)]
pub struct Input {
    /// Where it came from, for people: `dir/a.txt` or `dumps.tgz!2018/01/a.txt`.
    pub label: String,
    /// Its file name without folders: `source.file` in the records, as in the daemon.
    pub name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
}

/// Something that could not be read: it becomes a listed failure, never an abort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Where it came from (see [`Input::label`]).
    pub label: String,
    /// Stage to report (`read`).
    pub stage: Stage,
    /// Stable code: `read.too_large`, `read.missing`, `archive.corrupt`, ….
    pub code: String,
    /// What went wrong.
    pub reason: String,
}

/// What the walker hands over.
#[derive(Debug)]
pub enum Found {
    /// An input to process.
    Input(Input),
    /// An input (or a whole archive) that could not be read.
    Unreadable(Unreadable),
}

/// The kind of a path, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An uncompressed tar archive.
    Tar,
    /// A gzip-compressed tar archive.
    TarGz,
    /// A zip archive.
    Zip,
    /// Anything else: one input.
    Plain,
}

impl Kind {
    /// The kind implied by a file name (case-insensitive suffix).
    pub fn for_name(name: &str) -> Kind {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".tar") {
            Kind::Tar
        } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Kind::TarGz
        } else if lower.ends_with(".zip") {
            Kind::Zip
        } else {
            Kind::Plain
        }
    }
}

/// Walks `paths` in order and calls `emit` for every input, until `emit` says stop.
/// `read_bytes` grows by every byte read from disk (compressed bytes for archives), so
/// progress can be measured against [`disk_size`].
pub fn walk(
    paths: &[PathBuf],
    max_bytes: u64,
    read_bytes: &Arc<AtomicU64>,
    emit: &mut dyn FnMut(Found) -> ControlFlow<()>,
) {
    let mut w = Walker {
        max_bytes,
        read_bytes: read_bytes.clone(),
        emit,
    };
    for p in paths {
        if w.top(p).is_break() {
            return;
        }
    }
}

/// Total on-disk size of every file the walk will read (for the progress bar and ETA).
pub fn disk_size(paths: &[PathBuf]) -> u64 {
    fn dir_size(dir: &Path) -> u64 {
        let Ok(rd) = fs::read_dir(dir) else { return 0 };
        rd.flatten()
            .filter(|e| !is_ignored(&e.file_name().to_string_lossy()))
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => dir_size(&e.path()),
                Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
                _ => 0,
            })
            .sum()
    }
    paths
        .iter()
        .map(|p| match fs::metadata(p) {
            Ok(m) if m.is_dir() => dir_size(p),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

struct Walker<'a> {
    max_bytes: u64,
    read_bytes: Arc<AtomicU64>,
    emit: &'a mut dyn FnMut(Found) -> ControlFlow<()>,
}

impl Walker<'_> {
    /// A path given on the command line: followed even when it is a symlink.
    fn top(&mut self, path: &Path) -> ControlFlow<()> {
        let label = path.display().to_string();
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => self.dir(path),
            Ok(_) => {
                let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                self.file(&real, label)
            }
            Err(e) => self.unreadable(
                label,
                "read.missing",
                format!("cannot open {}: {e}", path.display()),
            ),
        }
    }

    /// A folder, recursively, in name order; symlinked folders are not followed.
    fn dir(&mut self, dir: &Path) -> ControlFlow<()> {
        let mut entries: Vec<(PathBuf, bool)> = match fs::read_dir(dir) {
            Ok(rd) => rd
                .flatten()
                .filter(|e| !is_ignored(&e.file_name().to_string_lossy()))
                .map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir())))
                .collect(),
            Err(e) => {
                return self.unreadable(
                    dir.display().to_string(),
                    "read.io",
                    format!("cannot list folder {}: {e}", dir.display()),
                )
            }
        };
        entries.sort();
        for (path, is_dir) in entries {
            let flow = if is_dir {
                self.dir(&path)
            } else {
                let label = path.display().to_string();
                self.file(&path, label)
            };
            flow?;
        }
        ControlFlow::Continue(())
    }

    /// One file: an archive to expand, or an input read safely (no symlinks, FIFOs, devices).
    fn file(&mut self, path: &Path, label: String) -> ControlFlow<()> {
        let name = base_name(&label);
        match Kind::for_name(&name) {
            Kind::Plain => match read_input(path, self.max_bytes) {
                Ok(input) => {
                    self.read_bytes
                        .fetch_add(input.bytes.len() as u64, Ordering::Relaxed);
                    (self.emit)(Found::Input(Input {
                        label,
                        name,
                        bytes: input.bytes,
                        sha256: input.sha256,
                    }))
                }
                Err(ReadError::Vanished) => self.unreadable(
                    label,
                    "read.vanished",
                    "file disappeared before it was read".into(),
                ),
                Err(e) => {
                    let code = e.code();
                    self.unreadable(label, code, e.to_string())
                }
            },
            kind => match self.open_counted(path) {
                Ok(file) => self.archive(kind, file, &label),
                Err(e) => self.unreadable(label, "read.io", format!("cannot open archive: {e}")),
            },
        }
    }

    fn open_counted(&self, path: &Path) -> io::Result<Counted<File>> {
        Ok(Counted {
            inner: File::open(path)?,
            read: self.read_bytes.clone(),
        })
    }

    fn archive(&mut self, kind: Kind, file: Counted<File>, label: &str) -> ControlFlow<()> {
        match kind {
            Kind::Tar => self.tar(file, label),
            Kind::TarGz => self.tar(flate2::read::MultiGzDecoder::new(file), label),
            Kind::Zip => self.zip(file, label),
            Kind::Plain => ControlFlow::Continue(()),
        }
    }

    /// Streams a tar archive: each member is read, hashed and handed over before the next.
    fn tar(&mut self, reader: impl Read, label: &str) -> ControlFlow<()> {
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => return self.corrupt(label, &e),
        };
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => return self.corrupt(label, &e),
            };
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let member = match entry.path() {
                Ok(p) => p.to_string_lossy().into_owned(),
                Err(e) => return self.corrupt(label, &e),
            };
            if skipped_member(&member) {
                continue;
            }
            let size = entry.size();
            match self.member(&mut entry, size, label, &member) {
                Ok(flow) => flow?,
                Err(e) => return self.corrupt(label, &e),
            }
        }
        ControlFlow::Continue(())
    }

    /// Reads a zip archive's members in central-directory order, one at a time.
    fn zip(&mut self, file: Counted<File>, label: &str) -> ControlFlow<()> {
        let mut archive = match zip::ZipArchive::new(file) {
            Ok(a) => a,
            Err(e) => return self.corrupt(label, &e),
        };
        for i in 0..archive.len() {
            let mut entry = match archive.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    // One unreadable member (encrypted, unsupported method) is its own failure.
                    let flow =
                        self.unreadable(format!("{label}!#{i}"), "archive.member", e.to_string());
                    flow?;
                    continue;
                }
            };
            if !entry.is_file() {
                continue;
            }
            let Ok(member) = entry.name().map(|n| n.into_owned()) else {
                continue;
            };
            if skipped_member(&member) {
                continue;
            }
            let size = entry.size();
            match self.member(&mut entry, size, label, &member) {
                Ok(flow) => flow?,
                Err(e) => {
                    let flow = self.unreadable(
                        format!("{label}!{member}"),
                        "archive.member",
                        format!("cannot read member: {e}"),
                    );
                    flow?;
                }
            }
        }
        ControlFlow::Continue(())
    }

    /// Reads one archive member of `size` bytes. An `Err` means the archive stream broke.
    fn member(
        &mut self,
        reader: &mut dyn Read,
        size: u64,
        archive: &str,
        member: &str,
    ) -> io::Result<ControlFlow<()>> {
        let label = format!("{archive}!{}", member.trim_start_matches("./"));
        if size > self.max_bytes {
            // tar skips the unread data when the next entry is requested; zip seeks.
            return Ok(self.unreadable(
                label,
                "read.too_large",
                format!(
                    "member is {size} bytes, over max_file_bytes = {}",
                    self.max_bytes
                ),
            ));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        reader.take(self.max_bytes + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > self.max_bytes {
            return Ok(self.unreadable(
                label,
                "read.too_large",
                format!("member is over max_file_bytes = {}", self.max_bytes),
            ));
        }
        if (bytes.len() as u64) < size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("member {member} ends after {} of {size} bytes", bytes.len()),
            ));
        }
        let sha256 = sha256_hex(&bytes);
        Ok((self.emit)(Found::Input(Input {
            name: base_name(member),
            label,
            bytes,
            sha256,
        })))
    }

    fn corrupt(&mut self, label: &str, e: &dyn std::fmt::Display) -> ControlFlow<()> {
        self.unreadable(
            label.to_string(),
            "archive.corrupt",
            format!("archive is unreadable from here on ({e}); members before this point were processed"),
        )
    }

    fn unreadable(&mut self, label: String, code: &str, reason: String) -> ControlFlow<()> {
        (self.emit)(Found::Unreadable(Unreadable {
            label,
            stage: Stage::Read,
            code: code.to_string(),
            reason,
        }))
    }
}

/// The last component of a `/`-separated path or label.
pub fn base_name(path: &str) -> String {
    let tail = path.rsplit('!').next().unwrap_or(path);
    tail.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(tail)
        .to_string()
}

/// Is an archive member skipped by the inbox's naming rules (itself or a folder above it)?
fn skipped_member(member: &str) -> bool {
    member
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .any(is_ignored)
}

/// A reader that counts the bytes it reads into a shared counter (progress on disk bytes).
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counted<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_names() {
        assert_eq!(Kind::for_name("a.TAR"), Kind::Tar);
        assert_eq!(Kind::for_name("a.tar.gz"), Kind::TarGz);
        assert_eq!(Kind::for_name("a.tgz"), Kind::TarGz);
        assert_eq!(Kind::for_name("a.zip"), Kind::Zip);
        assert_eq!(Kind::for_name("a.txt"), Kind::Plain);
        assert_eq!(base_name("x/y.tgz!2018/01/page.txt"), "page.txt");
        assert_eq!(base_name("dir/sub/a.txt"), "a.txt");
        assert!(skipped_member("__MACOSX/._a.txt"));
        assert!(skipped_member(".git/config"));
        assert!(skipped_member("a/b.txt.part"));
        assert!(!skipped_member("./2018/a.txt"));
    }

    fn collect(paths: &[PathBuf], max: u64) -> Vec<Found> {
        let mut v = Vec::new();
        let counter = Arc::new(AtomicU64::new(0));
        walk(paths, max, &counter, &mut |f| {
            v.push(f);
            ControlFlow::Continue(())
        });
        v
    }

    #[test]
    fn tar_members_stream_and_oversized_ones_fail_alone() -> io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let path = tmp.path().join("a.tgz");
        let gz = flate2::write::GzEncoder::new(File::create(&path)?, flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        for (name, body) in [
            ("d/one.txt", &b"first"[..]),
            ("d/.hidden", b"x"),
            ("big.txt", b"0123456789"),
            ("two.txt", b"second"),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, body)?;
        }
        b.into_inner()?.finish()?;
        let found = collect(&[path], 8);
        let summary: Vec<String> = found
            .iter()
            .map(|f| match f {
                Found::Input(i) => format!("ok {} {}", i.name, i.label.contains("!d/one.txt")),
                Found::Unreadable(u) => format!("bad {}", u.code),
            })
            .collect();
        assert_eq!(
            summary,
            vec!["ok one.txt true", "bad read.too_large", "ok two.txt false"]
        );
        Ok(())
    }

    #[test]
    fn a_missing_path_is_reported_not_fatal() {
        let found = collect(&[PathBuf::from("/nonexistent/presswire/x")], 10);
        assert!(matches!(&found[..], [Found::Unreadable(u)] if u.code == "read.missing"));
    }
}
