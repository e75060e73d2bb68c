//! The `presswire` binary: parse the command line, start logging, dispatch, map the result
//! to an exit code (0 ok, 1 some inputs failed, 2 usage or configuration error).

mod cli;

/// mimalloc instead of the system allocator: the per-word and per-entity allocations of the
/// tag stage run faster with it (measured in `docs/PERFORMANCE.md`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command, LogFlags};
use presswire::config::LogOptions;

fn main() -> ExitCode {
    let args = Cli::parse();
    let log = LogFlags {
        format: args.log_format,
        level: args.log_level,
    };
    // `run` starts logging once its config is loaded (the config may set format and level);
    // every other command logs with the flags or the defaults straight away.
    if !matches!(args.command, Command::Run(_)) {
        log.init(&LogOptions::default());
    }
    let result = match args.command {
        Command::Run(a) => cli::run::run(a, &log).map(|()| 0),
        Command::Process(a) => cli::process::run(a),
        Command::CheckConfig(a) => cli::check_config::run(a).map(|()| 0),
        Command::Schema => cli::schema::run().map(|()| 0),
        Command::Replay(a) => cli::replay::run(a),
        Command::Train(a) => cli::train::run(a).map(|()| 0),
        Command::Submit(a) => cli::submit::run(a),
        Command::Worker(a) => cli::worker::run(a).map(|()| 0),
        Command::Status(a) => cli::status::run(a).map(|()| 0),
        Command::GenDumps(a) => cli::gen_dumps::run(a).map(|()| 0),
        Command::EvalSplit(a) => cli::eval_split::run(a).map(|()| 0),
        Command::TrainNer(a) => cli::train_ner::run(a),
        Command::EvalNer(a) => cli::eval_ner::run(a),
        Command::EvalKeywords(a) => cli::eval_keywords::run(a),
    };
    match result {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("presswire: {e:#}");
            ExitCode::from(2)
        }
    }
}
