//! jieba with its bundled dictionary, loaded once per process and shared by split (the token
//! across a column cut) and tag (the POS pass): the dictionary is immutable, and loading it is
//! most of presswire's start-up time and a good part of its memory.

use std::sync::OnceLock;

use jieba_rs::Jieba;

/// The process's jieba (built on first use).
pub fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}
