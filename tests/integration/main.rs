//! Integration tests: each runs the real `presswire` binary on fresh temp folders.
//! One module per surface, as in ripgrep's `tests/`.

mod cli;
mod daemon;
mod operators;
mod process;
mod replay;
mod util;
