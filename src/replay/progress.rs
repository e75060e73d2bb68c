//! Replay progress: an indicatif bar on a terminal (files, MB, articles/s, ETA), plain
//! periodic `replay progress` log lines when stderr is not a terminal (CI, systemd, pipes).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Running totals of a replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Inputs processed and written.
    pub files: u64,
    /// Inputs skipped because their output was already complete.
    pub skipped: u64,
    /// Inputs that failed.
    pub failed: u64,
    /// Articles written.
    pub articles: u64,
    /// Input bytes processed (uncompressed, skipped inputs excluded).
    pub bytes_in: u64,
    /// Output bytes written.
    pub bytes_out: u64,
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A bar when stderr is a terminal, log lines otherwise.
    Auto,
    /// Log lines every interval.
    Lines,
    /// Nothing until the summary.
    Quiet,
}

/// Shows progress against the total on-disk size of the inputs.
pub struct Progress {
    bar: Option<ProgressBar>,
    lines: bool,
    every: Duration,
    started: Instant,
    last_line: Instant,
    total_disk: u64,
}

impl Progress {
    /// Starts showing progress; `total_disk` is what [`super::inputs::disk_size`] returned.
    pub fn new(mode: Mode, total_disk: u64, every: Duration) -> Progress {
        let tty = std::io::stderr().is_terminal();
        let bar = (mode == Mode::Auto && tty).then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(total_disk.max(1)),
                ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:30.cyan/blue} {percent:>3}% {msg} | {elapsed_precise} ETA {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        let now = Instant::now();
        Progress {
            lines: bar.is_none() && mode != Mode::Quiet,
            bar,
            every,
            started: now,
            last_line: now,
            total_disk,
        }
    }

    /// Updates the display; `disk_read` is how far the reader has got on disk.
    pub fn update(&mut self, t: &Totals, disk_read: u64) {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        if let Some(bar) = &self.bar {
            bar.set_position(disk_read.min(self.total_disk));
            bar.set_message(format!(
                "{} files, {:.1} MB, {:.0} articles/s, {} skipped, {} failed",
                t.files,
                mb(t.bytes_in),
                t.articles as f64 / secs,
                t.skipped,
                t.failed
            ));
        } else if self.lines && self.last_line.elapsed() >= self.every {
            self.last_line = Instant::now();
            let fraction = disk_read as f64 / self.total_disk.max(1) as f64;
            let eta = if fraction > 0.0 {
                (secs / fraction - secs).max(0.0)
            } else {
                f64::NAN
            };
            tracing::info!(
                files = t.files,
                skipped = t.skipped,
                failed = t.failed,
                articles = t.articles,
                mb = format!("{:.1}", mb(t.bytes_in)),
                mb_per_s = format!("{:.2}", mb(t.bytes_in) / secs),
                articles_per_s = format!("{:.0}", t.articles as f64 / secs),
                percent = format!("{:.0}", (fraction * 100.0).min(100.0)),
                eta_s = format!("{eta:.0}"),
                "replay progress"
            );
        }
    }

    /// Prints `line` without tearing the bar (a failure, a warning).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => tracing::warn!("{line}"),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Bytes as (decimal) megabytes.
pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}
