//! Integration tests: each runs the real `presswire` binary on fresh temp folders.
//! One module per surface, as in ripgrep's `tests/`.

mod bad_input;
mod burst;
mod cli;
mod crash;
mod daemon;
mod ledger;
mod operators;
mod process;
mod replay;
mod safety;
mod util;
