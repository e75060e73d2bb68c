//! `presswire replay`: process folders and archives once into an outbox, in parallel.

use std::time::Duration;

use presswire::replay::{self, Mode, Summary};

use crate::cli::{load_config, validated, ReplayArgs};

/// Replays the inputs, prints the summary on stdout; returns the number of failed inputs.
///
/// # Errors
/// On an invalid config, unloadable models or an unusable output folder.
pub fn run(args: ReplayArgs) -> anyhow::Result<usize> {
    let mut config = load_config(args.config.as_deref())?;
    if let Some(out) = &args.out {
        config.outbox = out.clone();
    }
    config.deterministic |= args.deterministic;
    let config = validated(config)?;
    let models = presswire::models::load(&config)?;
    let opts = replay::Options {
        out: config.outbox.clone(),
        jobs: args.jobs.unwrap_or_else(|| config.workers()),
        format: args.format,
        force: args.force,
        deterministic: config.deterministic,
        max_file_bytes: config.max_file_bytes,
        progress: if args.quiet {
            Mode::Quiet
        } else if args.progress_lines {
            Mode::Lines
        } else {
            Mode::Auto
        },
        progress_every: Duration::from_secs(args.progress_every.max(1)),
    };
    let summary = replay::run(&models, &args.paths, &opts)?;
    print_summary(&summary, &opts);
    Ok(usize::try_from(summary.failed()).unwrap_or(usize::MAX))
}

fn print_summary(s: &Summary, opts: &replay::Options) {
    let t = &s.totals;
    println!(
        "replay: {} files processed, {} skipped (already in {}), {} failed; {} articles; {:.1} MB in {:.2} s ({:.2} MB/s, {:.0} articles/s, {} jobs, final sync {:.2} s)",
        t.files,
        t.skipped,
        opts.out.display(),
        t.failed,
        t.articles,
        replay::progress::mb(t.bytes_in),
        s.elapsed.as_secs_f64(),
        s.mb_per_s(),
        s.articles_per_s(),
        opts.jobs.max(1),
        s.sync.as_secs_f64(),
    );
    if s.partial > 0 {
        println!(
            "replay: {} JSONL inputs had unusable lines (reports in {})",
            s.partial,
            opts.out.join(replay::FAILED_DIR).display()
        );
    }
    for f in &s.failures.shown {
        println!(
            "failed: {} [{} {}] {} -> {}",
            f.label,
            f.stage,
            f.code,
            f.reason,
            f.report.as_ref().map_or_else(
                || "(report not written)".into(),
                |p| p.display().to_string()
            )
        );
    }
    if s.failures.more > 0 {
        println!(
            "failed: … and {} more (all reports in {})",
            s.failures.more,
            opts.out.join(replay::FAILED_DIR).display()
        );
    }
}
