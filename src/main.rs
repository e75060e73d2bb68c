//! The `presswire` binary: parse the command line, start logging, dispatch, map the result
//! to an exit code (0 ok, 1 some inputs failed, 2 usage or configuration error).

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command};
use presswire::config::LogFormat;
use presswire::telemetry::logging;

fn main() -> ExitCode {
    let args = Cli::parse();
    let format = args.log_format.unwrap_or(LogFormat::Text);
    let level = args.log_level.clone().unwrap_or_else(|| "info".into());
    logging::init(format, &level);
    let result = match args.command {
        Command::Run(a) => cli::run::run(a, |_| {}).map(|()| 0),
        Command::Process(a) => cli::process::run(a),
        Command::CheckConfig(a) => cli::check_config::run(a).map(|()| 0),
        Command::Schema => cli::schema::run().map(|()| 0),
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
