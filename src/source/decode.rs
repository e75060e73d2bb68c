//! Charset detection and decoding: UTF-8 (with or without BOM), UTF-16LE/BE with BOM, and
//! GB18030/GBK, detected with `chardetng` when the bytes are not valid UTF-8.
//!
//! Decoding is strict: input that does not decode cleanly in the detected charset is an
//! error, never mojibake passed downstream. Line endings (CRLF, CR) become `\n`.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// Decoded text and the charset it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with `\n` line endings and no BOM.
    pub text: String,
    /// Canonical name of the charset (`UTF-8`, `UTF-16LE`, `UTF-16BE`, `GB18030`).
    pub encoding: &'static str,
}

/// Why a byte stream could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input holds no bytes (or only a BOM / whitespace).
    #[error("input is empty")]
    Empty,
    /// The input looks binary (NUL bytes or many control characters), not text.
    #[error("input looks binary, not text ({0})")]
    Binary(String),
    /// No supported charset decodes the input without errors.
    #[error("input is not valid in any supported charset (UTF-8, UTF-16 with BOM, GB18030): first bad byte near offset {offset} ({tried} tried)")]
    Undecodable {
        /// Byte offset of the first malformed sequence in the best candidate.
        offset: usize,
        /// Charset that came closest.
        tried: &'static str,
    },
    /// The bytes decode as GB18030 but the result does not read as Chinese: another legacy
    /// charset (Big5, Shift_JIS, EUC-KR, …) that would only yield mojibake.
    #[error("input decodes as GB18030 but does not read as Chinese (only {percent}% of {pairs} adjacent character pairs are words): probably Big5, Shift_JIS or EUC-KR; convert it to UTF-8")]
    NotChinese {
        /// Share of adjacent Han character pairs that are dictionary words, in percent.
        percent: u32,
        /// Adjacent Han character pairs examined.
        pairs: usize,
    },
}

/// Decodes a dump's bytes, detecting the charset.
///
/// # Errors
/// [`DecodeError`] when the input is empty, binary, or malformed in every supported charset.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let (text, encoding) = if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        (strict(enc, &bytes[bom_len..])?, enc)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_string(), UTF_8)
    } else if mostly_utf8(bytes) {
        // UTF-8 with a corrupt stretch: decoding it as GB18030 would "succeed" with mojibake.
        return Err(DecodeError::Undecodable {
            offset: utf8_error_offset(bytes),
            tried: "UTF-8",
        });
    } else {
        let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        det.feed(bytes, true);
        let guess = det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
        // Chinese newspapers: any legacy guess in the GB family decodes as GB18030, its superset.
        let enc = if guess == UTF_8 || guess == encoding_rs::GBK || guess == GB18030 {
            GB18030
        } else {
            guess
        };
        if enc != GB18030 {
            return Err(DecodeError::Undecodable {
                offset: utf8_error_offset(bytes),
                tried: "GB18030",
            });
        }
        let text = strict(enc, bytes)?;
        plausibly_chinese(&text)?;
        (text, enc)
    };
    check_text(&text)?;
    Ok(Decoded {
        text: normalise_newlines(text),
        encoding: canonical_name(encoding),
    })
}

fn strict(enc: &'static Encoding, bytes: &[u8]) -> Result<String, DecodeError> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3);
    let mut out = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(out),
        _ => Err(DecodeError::Undecodable {
            offset: read,
            tried: canonical_name(enc),
        }),
    }
}

/// True when the bytes are UTF-8 text with a few invalid sequences, rather than a legacy
/// charset: valid multi-byte UTF-8 characters far outnumber the invalid stretches.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid_multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    valid_multibyte >= 8 && valid_multibyte >= invalid * 4
}

/// Fewest adjacent Han pairs on which the word test below is trusted.
const MIN_PAIRS: usize = 40;
/// Chinese news has a third or more of its adjacent Han pairs in the word list; mojibake from
/// another double-byte charset has almost none.
const MIN_WORD_SHARE: f64 = 0.08;

/// Checks that legacy-decoded text reads as Chinese: enough adjacent Han character pairs are
/// two-character dictionary words (the split stage's word list). Looks at the first 4,000
/// pairs; short texts pass.
fn plausibly_chinese(text: &str) -> Result<(), DecodeError> {
    use crate::stages::split::words;
    let (mut pairs, mut words_found) = (0usize, 0usize);
    let mut prev: Option<char> = None;
    for c in text.chars() {
        // Private-use characters (GB18030's user-defined areas) never start or end a word.
        let han = matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{e000}'..='\u{f8ff}');
        if let (true, Some(p)) = (han, prev) {
            pairs += 1;
            if words::freq(&[p, c]) > 0 {
                words_found += 1;
            }
            if pairs >= 4000 {
                break;
            }
        }
        prev = han.then_some(c);
    }
    if pairs < MIN_PAIRS || words_found as f64 >= MIN_WORD_SHARE * pairs as f64 {
        return Ok(());
    }
    Err(DecodeError::NotChinese {
        percent: (100 * words_found / pairs) as u32,
        pairs,
    })
}

fn utf8_error_offset(bytes: &[u8]) -> usize {
    std::str::from_utf8(bytes)
        .err()
        .map(|e| e.valid_up_to())
        .unwrap_or(0)
}

/// Rejects empty and binary-looking text.
fn check_text(text: &str) -> Result<(), DecodeError> {
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    if text.contains('\0') {
        return Err(DecodeError::Binary("contains NUL characters".into()));
    }
    let total = text.chars().count();
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if control * 20 > total {
        return Err(DecodeError::Binary(format!(
            "{control} control characters in {total}"
        )));
    }
    Ok(())
}

fn normalise_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn canonical_name(enc: &'static Encoding) -> &'static str {
    if enc == UTF_16LE {
        "UTF-16LE"
    } else if enc == UTF_16BE {
        "UTF-16BE"
    } else {
        enc.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "党建领航聚合力 文明花香溢财苑\n近年来，四川省珙县扎实做好省级文明城市创建工作。";

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode(TEXT.as_bytes()).map(|d| (d.text, d.encoding));
        assert_eq!(plain, Ok((TEXT.to_string(), "UTF-8")));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(TEXT.as_bytes());
        assert_eq!(decode(&bom).map(|d| d.text), Ok(TEXT.to_string()));
    }

    #[test]
    fn gb18030_is_detected() {
        let (bytes, _, _) = GB18030.encode(TEXT);
        let d = decode(&bytes).map(|d| (d.text, d.encoding));
        assert_eq!(d, Ok((TEXT.to_string(), "gb18030")));
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in TEXT.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(&le).map(|d| d.encoding), Ok("UTF-16LE"));
        assert_eq!(decode(&be).map(|d| d.text), Ok(TEXT.to_string()));
    }

    #[test]
    fn crlf_and_cr_become_lf() {
        assert_eq!(
            decode("甲\r\n乙\r丙".as_bytes()).map(|d| d.text),
            Ok("甲\n乙\n丙".to_string())
        );
    }

    #[test]
    fn empty_and_binary_are_errors() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b"  \n "), Err(DecodeError::Empty));
        assert!(matches!(
            decode(&[0u8, 1, 2, 3, 0xff, 0xfe, 0x00, 0x9c]),
            Err(DecodeError::Binary(_) | DecodeError::Undecodable { .. })
        ));
    }

    #[test]
    fn other_legacy_charsets_are_refused_not_turned_into_mojibake() {
        // Traditional characters only, so every legacy charset below can encode them all.
        let text = "本報訊 記者報導，縣政府今天舉行會議，討論經濟發展與農業生產問題。".repeat(4);
        let (gb, _, _) = GB18030.encode(&text);
        let d = decode(&gb).map(|d| d.encoding);
        assert_eq!(d, Ok("gb18030"), "real Chinese in GB18030 passes");
        for enc in [
            encoding_rs::BIG5,
            encoding_rs::SHIFT_JIS,
            encoding_rs::EUC_KR,
        ] {
            let (bytes, _, _) = enc.encode(&text);
            match decode(&bytes) {
                Err(DecodeError::NotChinese { .. } | DecodeError::Undecodable { .. }) => {}
                other => panic!("{} decoded to {other:?}", enc.name()),
            }
        }
    }

    #[test]
    fn invalid_utf8_in_the_middle_is_not_passed_on() {
        let mut bytes = TEXT.as_bytes().to_vec();
        bytes.splice(10..10, [0xFF, 0xFF, 0xFF]);
        assert!(decode(&bytes).is_err());
    }

    mod fuzz {
        //! Property tests (a short fuzz run; raise `PROPTEST_CASES` for a longer one).
        use super::super::*;
        use proptest::prelude::*;

        /// Text drawn from CJK, ASCII letters, punctuation and line breaks, never controls.
        fn article_text() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    8 => proptest::char::range('\u{4e00}', '\u{9fa5}'),
                    2 => proptest::char::range('a', 'z'),
                    1 => proptest::sample::select(vec!['，', '。', '：', '·', ' ', '\n', '“', '”']),
                ],
                1..400,
            )
            .prop_map(|cs| cs.into_iter().collect())
        }

        /// Text made of common words, punctuation and line breaks: what a dump reads like.
        fn chinese_text() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                proptest::sample::select(vec![
                    "工作", "发展", "记者", "群众", "党建", "文明", "城市", "创建", "活动", "服务",
                    "农村", "经济", "社会", "安全", "生产", "教育", "文化", "，", "。", "\n", " ",
                ]),
                1..200,
            )
            .prop_map(|ws| ws.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

            /// Any bytes at all: an answer or an error, never a panic; an answer is clean text.
            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
                if let Ok(d) = decode(&bytes) {
                    prop_assert!(!d.text.contains('\r'));
                    prop_assert!(!d.text.contains('\0'));
                    prop_assert!(!d.text.trim().is_empty());
                }
            }

            /// UTF-8 text decodes to itself (with CRLF and CR as LF), with or without a BOM.
            #[test]
            fn utf8_round_trips(text in article_text(), crlf in any::<bool>(), bom in any::<bool>()) {
                prop_assume!(!text.trim().is_empty());
                let on_disk = if crlf { text.replace('\n', "\r\n") } else { text.clone() };
                let mut bytes = if bom { vec![0xEF, 0xBB, 0xBF] } else { Vec::new() };
                bytes.extend_from_slice(on_disk.as_bytes());
                let d = decode(&bytes);
                prop_assert_eq!(d.map(|d| (d.text, d.encoding)), Ok((text, "UTF-8")));
            }

            /// UTF-16 with a BOM decodes to the same text in either byte order.
            #[test]
            fn utf16_round_trips(text in article_text(), big_endian in any::<bool>()) {
                prop_assume!(!text.trim().is_empty());
                let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
                for u in text.encode_utf16() {
                    bytes.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
                }
                prop_assert_eq!(decode(&bytes).map(|d| d.text), Ok(text));
            }

            /// Chinese text in GB18030 (long enough to recognise) decodes to itself.
            #[test]
            fn gb18030_round_trips(text in chinese_text()) {
                let cjk = text.chars().filter(|c| !c.is_ascii()).count();
                prop_assume!(cjk >= 40);
                let (bytes, _, _) = GB18030.encode(&text);
                prop_assert_eq!(decode(&bytes).map(|d| d.text), Ok(text));
            }

            /// Random ideographs in GB18030 decode to themselves or are refused as not
            /// Chinese: never anything else.
            #[test]
            fn gb18030_random_ideographs_round_trip_or_are_refused(text in article_text()) {
                let cjk = text.chars().filter(|c| !c.is_ascii()).count();
                prop_assume!(cjk >= 40);
                let (bytes, _, _) = GB18030.encode(&text);
                match decode(&bytes) {
                    Ok(d) => prop_assert_eq!(d.text, text),
                    Err(e) => prop_assert!(matches!(e, DecodeError::NotChinese { .. }), "{e}"),
                }
            }

            /// Corrupting valid UTF-8 text is reported, never silently turned into other text.
            #[test]
            fn corrupt_utf8_is_an_error(text in article_text(), at in any::<prop::sample::Index>()) {
                let cjk = text.chars().filter(|c| !c.is_ascii()).count();
                prop_assume!(cjk >= 40);
                let mut bytes = text.into_bytes();
                let i = at.index(bytes.len());
                // Not a BOM (FF FE would read as UTF-16LE).
                bytes.splice(i..i, [0xFF, 0xC0]);
                prop_assert!(decode(&bytes).is_err());
            }
        }
    }
}
