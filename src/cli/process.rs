//! `presswire process`: run the pipeline once over files or stdin, records to stdout.

use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use anyhow::Context;
use presswire::source::read::sha256_hex;
use presswire::source::Format;
use presswire::work::{self, RecordOptions, Work};

use crate::cli::{load_config, validated, ProcessArgs};

/// Processes each input in order and prints its records; failures go to stderr.
///
/// Returns the number of inputs that failed.
///
/// # Errors
/// On an invalid config or unloadable models; a closed stdout ends the run quietly.
pub fn run(args: ProcessArgs) -> anyhow::Result<usize> {
    let mut config = load_config(args.config.as_deref())?;
    config.deterministic |= args.deterministic;
    if let Some(m) = &args.model {
        config.classify.model = Some(m.clone());
    }
    let config = validated(config)?;
    let models = presswire::models::load(&config)?;
    let opts = RecordOptions {
        deterministic: config.deterministic,
        force: true,
    };
    let inputs: Vec<&Path> = if args.paths.is_empty() {
        vec![Path::new("-")]
    } else {
        args.paths.iter().map(|p| p.as_path()).collect()
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let mut failed = 0;
    for path in inputs {
        let work = if path == Path::new("-") {
            let mut bytes = Vec::new();
            io::stdin()
                .read_to_end(&mut bytes)
                .context("cannot read stdin")?;
            let sha = sha256_hex(&bytes);
            work::from_bytes("-", bytes, sha, args.format.unwrap_or(Format::Dump))
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match work::read_file(path, &name, config.max_file_bytes, None, opts) {
                Work::Read {
                    meta,
                    bytes,
                    format,
                } => Work::Read {
                    meta,
                    bytes,
                    format: args.format.unwrap_or(format),
                },
                other => other,
            }
        };
        match work::run_all(&models, work, opts) {
            Work::Done {
                records, bad_lines, ..
            } => {
                for l in &bad_lines {
                    tracing::warn!(file = %path.display(), line = l.line, reason = %l.reason, "skipped a bad JSONL line");
                }
                for r in &records {
                    let line = r.to_json_line().context("serialising a record")?;
                    if let Err(e) = writeln!(out, "{line}") {
                        return broken_pipe_is_ok(e).map(|()| failed);
                    }
                }
            }
            Work::Failed(f) => {
                failed += 1;
                tracing::error!(file = %path.display(), stage = %f.stage, code = %f.code, reason = %f.reason, "input failed");
            }
            Work::Vanished => {
                failed += 1;
                tracing::error!(file = %path.display(), "no such file");
            }
            _ => {}
        }
    }
    if let Err(e) = out.flush() {
        broken_pipe_is_ok(e)?;
    }
    Ok(failed)
}

fn broken_pipe_is_ok(e: io::Error) -> anyhow::Result<()> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(anyhow::Error::new(e).context("cannot write to stdout"))
    }
}
