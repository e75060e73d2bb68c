//! `presswire status`: recent activity and counts, read from the daemon's ledger.

use presswire::ledger::{lock, Ledger};

use crate::cli::{load_config, StatusArgs};

/// Prints counts and the latest events; works whether or not the daemon is running.
///
/// # Errors
/// If the config is invalid or the ledger cannot be read.
pub fn run(args: StatusArgs) -> anyhow::Result<()> {
    let mut config = load_config(args.config.as_deref())?;
    if let Some(i) = args.inbox {
        config.inbox = i;
    }
    let state = config.state_dir();
    let pid = lock::recorded_pid(&state)
        .filter(|pid| std::path::Path::new("/proc").join(pid.to_string()).exists());
    let Some(ledger) = Ledger::open_read_only(&state)? else {
        if args.json {
            println!(
                "{}",
                serde_json::json!({"ledger": null, "counts": null, "recent": []})
            );
        } else {
            println!(
                "no ledger in {} yet: the daemon has not run on this inbox",
                state.display()
            );
        }
        return Ok(());
    };
    let counts = ledger.counts()?;
    let recent = ledger.recent(args.limit)?;
    if args.json {
        let out = serde_json::json!({
            "ledger": ledger.path(),
            "daemon_pid": pid,
            "counts": counts,
            "recent": recent,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("ledger:   {}", ledger.path().display());
    match pid {
        Some(p) => println!("daemon:   running (pid {p})"),
        None => println!("daemon:   not running"),
    }
    println!(
        "contents: {} done, {} failed",
        counts.contents_done, counts.contents_failed
    );
    let events: Vec<String> = counts
        .events
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!(
        "events:   {}",
        if events.is_empty() {
            "none".into()
        } else {
            events.join(", ")
        }
    );
    if let Some(at) = &counts.last_event_at {
        println!("last:     {at}");
    }
    if !recent.is_empty() {
        println!("\nrecent activity (newest first):");
    }
    for e in &recent {
        let hash = e
            .entry
            .sha256
            .as_deref()
            .map_or("-", |h| &h[..h.len().min(16)]);
        let detail = match (&e.entry.code, &e.entry.output) {
            (Some(code), _) => format!("{code}: {}", e.entry.reason.as_deref().unwrap_or("")),
            (None, Some(out)) => format!("-> {out}"),
            (None, None) => String::new(),
        };
        println!(
            "  {}  {:<11} {:?}  {hash}  {detail}",
            e.at,
            e.entry.action.as_str(),
            e.entry.file
        );
    }
    Ok(())
}
