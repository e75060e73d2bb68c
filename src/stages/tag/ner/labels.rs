//! The BMES label set over PER/LOC/ORG and which label may follow which.

/// Number of labels: `O` plus B/M/E/S for each of the three types.
pub const N_LABELS: usize = 13;

/// Entity types the learned tagger knows, in label order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NerType {
    /// A person (`PER`).
    Per,
    /// A place (`LOC`).
    Loc,
    /// An organisation (`ORG`).
    Org,
}

impl NerType {
    /// All types, in label order.
    pub const ALL: [NerType; 3] = [NerType::Per, NerType::Loc, NerType::Org];

    /// The corpus name of the type (`PER`, `LOC`, `ORG`).
    pub fn as_str(self) -> &'static str {
        match self {
            NerType::Per => "PER",
            NerType::Loc => "LOC",
            NerType::Org => "ORG",
        }
    }

    /// Parses a corpus type name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PER" | "NR" => Some(NerType::Per),
            "LOC" | "NS" => Some(NerType::Loc),
            "ORG" | "NT" => Some(NerType::Org),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            NerType::Per => 0,
            NerType::Loc => 1,
            NerType::Org => 2,
        }
    }
}

/// Position of a character inside an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// First character of a multi-character entity.
    B,
    /// Inside character.
    M,
    /// Last character.
    E,
    /// A one-character entity.
    S,
}

/// Label index of `O` (outside any entity).
pub const O: u8 = 0;

/// The label index of (`part`, `ty`).
pub fn label(part: Part, ty: NerType) -> u8 {
    let p = match part {
        Part::B => 0,
        Part::M => 1,
        Part::E => 2,
        Part::S => 3,
    };
    // At most 1 + 4*2 + 3 = 12: always fits.
    (1 + 4 * ty.index() + p) as u8
}

/// The (part, type) of a label, or `None` for `O` and out-of-range indices.
pub fn parts(label: u8) -> Option<(Part, NerType)> {
    if label == O || usize::from(label) >= N_LABELS {
        return None;
    }
    let l = usize::from(label) - 1;
    let part = [Part::B, Part::M, Part::E, Part::S][l % 4];
    Some((part, NerType::ALL[l / 4]))
}

/// May label `to` follow label `from`? (BMES: B/M continue with M/E of the same type.)
pub fn allowed(from: u8, to: u8) -> bool {
    let open = matches!(parts(from), Some((Part::B | Part::M, _)));
    match (parts(from), parts(to)) {
        (Some((Part::B | Part::M, t)), Some((Part::M | Part::E, u))) => t == u,
        (_, Some((Part::M | Part::E, _))) => false,
        _ => !open,
    }
}

/// May a sentence start with `label`?
pub fn allowed_start(label: u8) -> bool {
    !matches!(parts(label), Some((Part::M | Part::E, _)))
}

/// May a sentence end with `label`?
pub fn allowed_end(label: u8) -> bool {
    !matches!(parts(label), Some((Part::B | Part::M, _)))
}

/// A labelled span: characters `start..end` of a sentence form an entity of type `ty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First character (index in chars).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The entity type.
    pub ty: NerType,
}

/// Spans from a label sequence; ill-formed runs (an `M` without a `B`) are read leniently.
pub fn spans(labels: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(usize, NerType)> = None;
    for (i, &l) in labels.iter().enumerate() {
        match parts(l) {
            Some((Part::S, t)) => {
                open = None;
                out.push(Span {
                    start: i,
                    end: i + 1,
                    ty: t,
                });
            }
            Some((Part::B, t)) => open = Some((i, t)),
            Some((Part::M, t)) => {
                if open.map(|o| o.1) != Some(t) {
                    open = Some((i, t));
                }
            }
            Some((Part::E, t)) => {
                let start = match open {
                    Some((s, ot)) if ot == t => s,
                    _ => i,
                };
                out.push(Span {
                    start,
                    end: i + 1,
                    ty: t,
                });
                open = None;
            }
            None => open = None,
        }
    }
    out
}

/// BMES labels for a sentence of `len` characters with the given (non-overlapping) spans.
pub fn from_spans(len: usize, spans: &[Span]) -> Vec<u8> {
    let mut labels = vec![O; len];
    for s in spans {
        if s.end > len || s.start >= s.end {
            continue;
        }
        if s.end - s.start == 1 {
            labels[s.start] = label(Part::S, s.ty);
            continue;
        }
        labels[s.start] = label(Part::B, s.ty);
        for l in &mut labels[s.start + 1..s.end - 1] {
            *l = label(Part::M, s.ty);
        }
        labels[s.end - 1] = label(Part::E, s.ty);
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_parts() {
        for t in NerType::ALL {
            for p in [Part::B, Part::M, Part::E, Part::S] {
                assert_eq!(parts(label(p, t)), Some((p, t)));
            }
        }
        assert_eq!(parts(O), None);
        let all: std::collections::HashSet<u8> = (0..N_LABELS as u8).collect();
        assert_eq!(all.len(), N_LABELS);
    }

    #[test]
    fn bmes_transitions_are_constrained() {
        let b_per = label(Part::B, NerType::Per);
        let m_per = label(Part::M, NerType::Per);
        let e_per = label(Part::E, NerType::Per);
        let e_loc = label(Part::E, NerType::Loc);
        assert!(allowed(b_per, m_per) && allowed(b_per, e_per));
        assert!(!allowed(b_per, e_loc) && !allowed(O, m_per) && !allowed(b_per, O));
        assert!(allowed(e_per, O) && allowed(e_per, label(Part::B, NerType::Org)));
        assert!(!allowed_start(e_per) && allowed_start(b_per) && !allowed_end(b_per));
    }

    #[test]
    fn spans_and_labels_invert_each_other() {
        let spans_in = vec![
            Span {
                start: 0,
                end: 3,
                ty: NerType::Per,
            },
            Span {
                start: 3,
                end: 4,
                ty: NerType::Loc,
            },
            Span {
                start: 6,
                end: 8,
                ty: NerType::Org,
            },
        ];
        let labels = from_spans(9, &spans_in);
        assert_eq!(spans(&labels), spans_in);
    }
}
