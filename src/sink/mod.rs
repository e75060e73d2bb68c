//! Sinks: where finished work goes. [`outbox`] writes records atomically; [`quarantine`]
//! sets failed inputs aside with an error report; [`archive`] moves inputs out of the inbox.

pub mod archive;
pub mod outbox;
pub mod quarantine;
pub mod seal;

pub use outbox::Outbox;

use std::fs::File;
use std::io;
use std::path::Path;

/// Fsyncs a directory so a rename inside it survives a crash.
///
/// # Errors
/// If the directory cannot be opened or synced.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
