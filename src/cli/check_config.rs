//! `presswire check-config`: validate a config without starting anything.

use presswire::Config;

use crate::cli::{load_config, CheckConfigArgs};

/// Parses and validates the file, then (unless `--no-environment`) checks the folders and
/// loads the models it names, exactly as `run` would.
///
/// # Errors
/// With a message naming the key or file at fault.
pub fn run(args: CheckConfigArgs) -> anyhow::Result<()> {
    let config: Config = load_config(args.file.as_deref())?;
    config.validate()?;
    if !args.no_environment {
        config.validate_on_disk()?;
        presswire::models::load(&config)?;
        if !config.inbox.is_dir() {
            anyhow::bail!(
                "inbox {} is not a folder (create it, or fix `inbox`)",
                config.inbox.display()
            );
        }
    }
    let what = args.file.as_ref().map_or_else(
        || "built-in defaults".to_string(),
        |p| p.display().to_string(),
    );
    println!("{what}: ok");
    Ok(())
}
