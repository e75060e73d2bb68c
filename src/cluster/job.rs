//! What a job message carries: the dump's bytes (or the name of the object holding them),
//! its file name and its SHA-256, in headers any NATS tool can show.

use async_nats::HeaderMap;

/// Header naming the input file (records keep it in `source.file`).
pub const FILE: &str = "Presswire-File";
/// Header with the SHA-256 of the dump, lowercase hex.
pub const SHA256: &str = "Presswire-Sha256";
/// Header with the dump's size in bytes.
pub const SIZE: &str = "Presswire-Size";
/// Header naming the object holding the dump when it is too big for a message.
pub const OBJECT: &str = "Presswire-Object";

/// One job as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobHeader {
    /// File name of the input.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// The object holding it, when it is not in the message payload.
    pub object: Option<String>,
}

/// Why a job message cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JobError {
    /// A required header is missing or malformed.
    #[error("job message has no usable {0} header")]
    Header(&'static str),
    /// The payload's hash differs from the one submitted.
    #[error("job bytes hash to {got}, not the submitted {want}")]
    Hash {
        /// Submitted hash.
        want: String,
        /// Hash of what arrived.
        got: String,
    },
}

/// A file name safe for a header value: control characters become `_`.
pub fn header_safe(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect()
}

impl JobHeader {
    /// The headers of this job (without `Nats-Msg-Id`, which the publisher sets).
    pub fn to_headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(FILE, header_safe(&self.file).as_str());
        h.insert(SHA256, self.sha256.as_str());
        h.insert(SIZE, self.size.to_string().as_str());
        if let Some(o) = &self.object {
            h.insert(OBJECT, o.as_str());
        }
        h
    }

    /// Reads a job's headers.
    ///
    /// # Errors
    /// [`JobError::Header`] naming the first missing or malformed header.
    pub fn from_headers(h: Option<&HeaderMap>) -> Result<JobHeader, JobError> {
        let get = |name: &'static str| h.and_then(|h| h.get(name)).map(|v| v.as_str().to_string());
        let file = get(FILE).ok_or(JobError::Header(FILE))?;
        let sha256 = get(SHA256)
            .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or(JobError::Header(SHA256))?;
        let size = get(SIZE)
            .and_then(|s| s.parse().ok())
            .ok_or(JobError::Header(SIZE))?;
        let object = get(OBJECT).filter(|o| !o.is_empty());
        Ok(JobHeader {
            file,
            sha256,
            size,
            object,
        })
    }

    /// Checks that `bytes` are the submitted dump.
    ///
    /// # Errors
    /// [`JobError::Hash`] when they are not.
    pub fn verify(&self, bytes: &[u8]) -> Result<(), JobError> {
        let got = crate::source::read::sha256_hex(bytes);
        if got == self.sha256 {
            Ok(())
        } else {
            Err(JobError::Hash {
                want: self.sha256.clone(),
                got,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_hash_is_checked() {
        let bytes = "新闻".as_bytes();
        let job = JobHeader {
            file: "a\nb.txt".into(),
            sha256: crate::source::read::sha256_hex(bytes),
            size: bytes.len() as u64,
            object: None,
        };
        let back = JobHeader::from_headers(Some(&job.to_headers()));
        assert_eq!(
            back,
            Ok(JobHeader {
                file: "a_b.txt".into(),
                ..job.clone()
            })
        );
        assert_eq!(job.verify(bytes), Ok(()));
        assert!(job.verify(b"other").is_err());
        assert_eq!(JobHeader::from_headers(None), Err(JobError::Header(FILE)));
    }
}
