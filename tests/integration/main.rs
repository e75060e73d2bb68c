//! Integration tests: each runs the real `presswire` binary on fresh temp folders.
//! One module per surface, as in ripgrep's `tests/`.

mod bad_input;
mod burst;
mod cli;
mod crash;
mod daemon;
mod ledger;
mod process;
mod safety;
mod util;
