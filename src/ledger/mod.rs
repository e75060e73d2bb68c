//! The ledger: which input contents have been processed, when, from which file, where the
//! output went, and what failed. It is how the daemon keeps *exactly once per content* across
//! restarts, crashes and re-drops, and what `presswire status` reads.
//!
//! # Store: SQLite (via `rusqlite`, bundled) in WAL mode
//! The ledger must survive `kill -9` and power loss at any instant without a repair step,
//! be readable by `presswire status` while the daemon writes, and need no server. SQLite in
//! WAL mode with `synchronous = FULL` gives exactly that: a committed transaction is durable
//! once `commit` returns, a torn write is rolled back on the next open, readers never block the
//! writer. A hand-rolled append-only file would need its own torn-record recovery and
//! compaction; an embedded KV store (sled, redb) would add a dependency for no gain in
//! guarantees, and would not give `status` its ad-hoc aggregate queries.
//!
//! # Where
//! `<state_dir>/ledger.sqlite3` (default `<inbox>/.presswire/`), never in the outbox or `$HOME`.
//!
//! # Ordering (see `docs/GUARANTEES.md`)
//! A content is marked `done` only after its output file is renamed into the outbox and the
//! folder fsynced, and the input leaves the inbox only after that mark is committed. A crash
//! between the output rename and the mark is healed on restart: the output found in the outbox
//! is recorded as `recovered` instead of being computed again.

pub mod lock;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

/// File name of the ledger inside the state folder.
pub const FILE_NAME: &str = "ledger.sqlite3";

/// Schema version stored in `PRAGMA user_version`.
const SCHEMA: i64 = 1;

const CREATE: &str = "
CREATE TABLE IF NOT EXISTS contents (
    sha256     TEXT PRIMARY KEY,
    state      TEXT NOT NULL CHECK (state IN ('done', 'failed')),
    file       TEXT NOT NULL,
    output     TEXT,
    articles   INTEGER,
    stage      TEXT,
    code       TEXT,
    reason     TEXT,
    first_at   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    action   TEXT NOT NULL,
    file     TEXT NOT NULL,
    sha256   TEXT,
    output   TEXT,
    articles INTEGER,
    stage    TEXT,
    code     TEXT,
    reason   TEXT
);
CREATE INDEX IF NOT EXISTS events_sha256 ON events(sha256);
CREATE TABLE IF NOT EXISTS attempts (
    sha256  TEXT PRIMARY KEY,
    file    TEXT NOT NULL,
    count    INTEGER NOT NULL,
    isolated INTEGER NOT NULL DEFAULT 0,
    last_at  TEXT NOT NULL
);
";

/// A ledger problem; the daemon refuses to start on one at open, and retries on one later.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// SQLite reported an error.
    #[error("ledger {path}: {source}")]
    Sqlite {
        /// The ledger file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The state folder could not be created.
    #[error("cannot create state folder {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file was written by a newer presswire.
    #[error("ledger {path} has schema version {found}; this presswire understands up to {SCHEMA}")]
    TooNew {
        /// The ledger file.
        path: PathBuf,
        /// Version found.
        found: i64,
    },
}

/// What happened to one input, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Processed; its output was written.
    Done,
    /// Processed again on purpose (`--force`); its output was rewritten.
    Forced,
    /// Its output was already in the outbox from a run that crashed before recording it.
    Recovered,
    /// Same content as an input already done; archived without a second output.
    Duplicate,
    /// Failed; moved to quarantine.
    Quarantined,
}

impl Action {
    /// The name stored in the ledger and shown by `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Done => "done",
            Action::Forced => "forced",
            Action::Recovered => "recovered",
            Action::Duplicate => "duplicate",
            Action::Quarantined => "quarantined",
        }
    }
}

/// One entry to record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    /// What happened.
    pub action: Action,
    /// The input's file name in the inbox.
    pub file: String,
    /// SHA-256 of its bytes, when they could be read.
    pub sha256: Option<String>,
    /// Output file (done/forced/recovered/duplicate) or quarantine path (quarantined).
    pub output: Option<String>,
    /// Number of records written.
    pub articles: Option<u64>,
    /// Failing stage (quarantined).
    pub stage: Option<String>,
    /// Stable failure code (quarantined), or `jsonl.bad_lines` for a partly bad JSONL input.
    pub code: Option<String>,
    /// Explanation.
    pub reason: Option<String>,
}

impl Entry {
    /// An entry with only the action, file and hash set.
    pub fn new(action: Action, file: &str, sha256: Option<&str>) -> Entry {
        Entry {
            action,
            file: file.to_string(),
            sha256: sha256.map(str::to_string),
            output: None,
            articles: None,
            stage: None,
            code: None,
            reason: None,
        }
    }
}

/// Unsealed starts of one content (see [`Ledger::begin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// Starts so far, this one included.
    pub count: u32,
    /// Whether an earlier start ran with nothing else in flight.
    pub isolated: bool,
}

/// A recorded event, as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The entry.
    #[serde(flatten)]
    pub entry: Entry,
}

/// Totals for `status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Distinct contents whose output is written.
    pub contents_done: u64,
    /// Distinct contents whose last attempt failed.
    pub contents_failed: u64,
    /// Events by action, all time.
    pub events: std::collections::BTreeMap<String, u64>,
    /// Time of the latest event.
    pub last_event_at: Option<String>,
}

/// The open ledger. One writer (the daemon, which holds the state lock); `status` reads.
#[derive(Debug)]
pub struct Ledger {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Ledger {
    /// Opens (creating if needed) the ledger in `state_dir` for writing.
    ///
    /// # Errors
    /// [`LedgerError`] if the folder or database cannot be created, or the schema is too new.
    pub fn open(state_dir: &Path) -> Result<Ledger, LedgerError> {
        std::fs::create_dir_all(state_dir).map_err(|source| LedgerError::Folder {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let path = state_dir.join(FILE_NAME);
        let err = |source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        if version > SCHEMA {
            return Err(LedgerError::TooNew {
                path,
                found: version,
            });
        }
        conn.execute_batch(CREATE).map_err(err)?;
        conn.pragma_update(None, "user_version", SCHEMA)
            .map_err(err)?;
        Ok(Ledger {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// Opens an existing ledger read-only (for `status`); `None` when there is none yet.
    ///
    /// # Errors
    /// [`LedgerError`] if the file exists but cannot be opened.
    pub fn open_read_only(state_dir: &Path) -> Result<Option<Ledger>, LedgerError> {
        let path = state_dir.join(FILE_NAME);
        if !path.is_file() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        })?;
        let _ = conn.busy_timeout(std::time::Duration::from_secs(10));
        Ok(Some(Ledger {
            conn: Mutex::new(conn),
            path,
        }))
    }

    /// The ledger file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Has this content been processed (its output written)?
    ///
    /// # Errors
    /// [`LedgerError`] if the query fails.
    pub fn is_done(&self, sha256: &str) -> Result<bool, LedgerError> {
        let conn = self.lock();
        conn.query_row(
            "SELECT 1 FROM contents WHERE sha256 = ?1 AND state = 'done'",
            [sha256],
            |_| Ok(()),
        )
        .optional()
        .map(|r| r.is_some())
        .map_err(|e| self.err(e))
    }

    /// Notes that processing of this content starts; returns how many times it has started
    /// without being sealed (1 the first time), and whether one of those starts ran alone.
    /// An input that keeps coming back is one the daemon died on, or one that was in flight
    /// beside it. Committed without an fsync (`synchronous = NORMAL`): it must survive the
    /// process dying, which the OS guarantees, not the machine.
    ///
    /// # Errors
    /// [`LedgerError`] if the update fails.
    pub fn begin(&self, sha256: &str, file: &str) -> Result<Attempt, LedgerError> {
        let at = crate::work::now_rfc3339();
        let conn = self.lock();
        let run = || -> rusqlite::Result<(i64, bool)> {
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            let n = conn.query_row(
                "INSERT INTO attempts (sha256, file, count, last_at) VALUES (?1, ?2, 1, ?3)
                 ON CONFLICT(sha256) DO UPDATE SET count = count + 1, file = excluded.file,
                   last_at = excluded.last_at
                 RETURNING count, isolated",
                params![sha256, file, at],
                |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)),
            );
            conn.pragma_update(None, "synchronous", "FULL")?;
            n
        };
        run()
            .map(|(n, isolated)| Attempt {
                count: u32::try_from(n).unwrap_or(u32::MAX),
                isolated,
            })
            .map_err(|e| self.err(e))
    }

    /// Notes that this content is now being processed with nothing else in flight, so if the
    /// daemon dies now, this input is the cause.
    ///
    /// # Errors
    /// [`LedgerError`] if the update fails.
    pub fn mark_isolated(&self, sha256: &str) -> Result<(), LedgerError> {
        let conn = self.lock();
        conn.execute(
            "UPDATE attempts SET isolated = 1 WHERE sha256 = ?1",
            [sha256],
        )
        .map(|_| ())
        .map_err(|e| self.err(e))
    }

    /// Records a batch of entries in one durable transaction.
    ///
    /// # Errors
    /// [`LedgerError`]; nothing of the batch is recorded then.
    pub fn record(&self, entries: &[Entry]) -> Result<(), LedgerError> {
        if entries.is_empty() {
            return Ok(());
        }
        let at = crate::work::now_rfc3339();
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        for e in entries {
            insert(&tx, &at, e).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Totals by state and action.
    ///
    /// # Errors
    /// [`LedgerError`] if a query fails.
    pub fn counts(&self) -> Result<Counts, LedgerError> {
        let conn = self.lock();
        let q = || -> rusqlite::Result<Counts> {
            let mut c = Counts::default();
            let mut stmt = conn.prepare("SELECT state, COUNT(*) FROM contents GROUP BY state")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (state, n) = row?;
                let n = u64::try_from(n).unwrap_or(0);
                match state.as_str() {
                    "done" => c.contents_done = n,
                    _ => c.contents_failed = n,
                }
            }
            let mut stmt = conn.prepare("SELECT action, COUNT(*) FROM events GROUP BY action")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (action, n) = row?;
                c.events.insert(action, u64::try_from(n).unwrap_or(0));
            }
            c.last_event_at = conn
                .query_row("SELECT MAX(at) FROM events", [], |r| r.get(0))
                .optional()?
                .flatten();
            Ok(c)
        };
        q().map_err(|e| self.err(e))
    }

    /// The latest `limit` events, newest first.
    ///
    /// # Errors
    /// [`LedgerError`] if the query fails.
    pub fn recent(&self, limit: usize) -> Result<Vec<Event>, LedgerError> {
        let conn = self.lock();
        let q = || -> rusqlite::Result<Vec<Event>> {
            let mut stmt = conn.prepare(
                "SELECT at, action, file, sha256, output, articles, stage, code, reason
                 FROM events ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                let action: String = r.get(1)?;
                Ok(Event {
                    at: r.get(0)?,
                    entry: Entry {
                        action: parse_action(&action),
                        file: r.get(2)?,
                        sha256: r.get(3)?,
                        output: r.get(4)?,
                        articles: r
                            .get::<_, Option<i64>>(5)?
                            .and_then(|n| u64::try_from(n).ok()),
                        stage: r.get(6)?,
                        code: r.get(7)?,
                        reason: r.get(8)?,
                    },
                })
            })?;
            rows.collect()
        };
        q().map_err(|e| self.err(e))
    }
}

fn parse_action(s: &str) -> Action {
    match s {
        "forced" => Action::Forced,
        "recovered" => Action::Recovered,
        "duplicate" => Action::Duplicate,
        "quarantined" => Action::Quarantined,
        _ => Action::Done,
    }
}

fn insert(tx: &rusqlite::Transaction<'_>, at: &str, e: &Entry) -> rusqlite::Result<()> {
    let articles = e.articles.and_then(|n| i64::try_from(n).ok());
    tx.execute(
        "INSERT INTO events (at, action, file, sha256, output, articles, stage, code, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            at,
            e.action.as_str(),
            e.file,
            e.sha256,
            e.output,
            articles,
            e.stage,
            e.code,
            e.reason
        ],
    )?;
    let Some(sha) = &e.sha256 else {
        return Ok(());
    };
    tx.execute("DELETE FROM attempts WHERE sha256 = ?1", [sha])?;
    match e.action {
        Action::Done | Action::Forced | Action::Recovered => {
            tx.execute(
                "INSERT INTO contents (sha256, state, file, output, articles, first_at, updated_at)
                 VALUES (?1, 'done', ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT(sha256) DO UPDATE SET state = 'done', file = excluded.file,
                   output = excluded.output, articles = excluded.articles,
                   stage = NULL, code = NULL, reason = NULL, updated_at = excluded.updated_at",
                params![sha, e.file, e.output, articles, at],
            )?;
        }
        Action::Quarantined => {
            // A failure never overrides a content already done (a later, broken copy of it).
            tx.execute(
                "INSERT INTO contents (sha256, state, file, output, stage, code, reason, first_at, updated_at)
                 VALUES (?1, 'failed', ?2, ?3, ?4, ?5, ?6, ?7, ?7)
                 ON CONFLICT(sha256) DO UPDATE SET file = excluded.file, output = excluded.output,
                   stage = excluded.stage, code = excluded.code, reason = excluded.reason,
                   updated_at = excluded.updated_at
                 WHERE contents.state = 'failed'",
                params![sha, e.file, e.output, e.stage, e.code, e.reason, at],
            )?;
        }
        Action::Duplicate => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(file: &str, sha: &str) -> Entry {
        Entry {
            output: Some(format!("/out/{sha}.jsonl")),
            articles: Some(3),
            ..Entry::new(Action::Done, file, Some(sha))
        }
    }

    #[test]
    fn records_survive_reopening_and_count() -> Result<(), LedgerError> {
        let dir = tempfile::tempdir().map_err(|source| LedgerError::Folder {
            path: PathBuf::new(),
            source,
        })?;
        let state = dir.path().join("state");
        {
            let l = Ledger::open(&state)?;
            assert!(!l.is_done("aa")?);
            let mut q = Entry::new(Action::Quarantined, "bad.txt", Some("bb"));
            q.code = Some("decode.binary".into());
            l.record(&[done("a.txt", "aa"), q])?;
            l.record(&[Entry::new(Action::Duplicate, "a2.txt", Some("aa"))])?;
        }
        let l = Ledger::open(&state)?;
        assert!(l.is_done("aa")?);
        assert!(!l.is_done("bb")?, "a failure is not done");
        // A failed copy of done content does not undo it.
        l.record(&[Entry::new(Action::Quarantined, "x", Some("aa"))])?;
        assert!(l.is_done("aa")?);
        let c = l.counts()?;
        assert_eq!((c.contents_done, c.contents_failed), (1, 1));
        assert_eq!(c.events.get("quarantined"), Some(&2));
        assert_eq!(c.events.get("duplicate"), Some(&1));
        let recent = l.recent(2)?;
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0].entry.file, "x", "newest first");
        assert_eq!(l.begin("cc", "c.txt")?.count, 1);
        l.mark_isolated("cc")?;
        let again = l.begin("cc", "c.txt")?;
        assert_eq!(
            (again.count, again.isolated),
            (2, true),
            "not sealed: a second start counts"
        );
        l.record(&[done("c.txt", "cc")])?;
        let fresh = l.begin("cc", "c.txt")?;
        assert_eq!(
            (fresh.count, fresh.isolated),
            (1, false),
            "sealing clears the count"
        );
        let ro = Ledger::open_read_only(&state)?;
        assert_eq!(
            ro.map(|r| r.counts().map(|c| c.contents_done))
                .transpose()?,
            Some(2)
        );
        Ok(())
    }
}
