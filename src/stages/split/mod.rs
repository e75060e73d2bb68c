//! Split: cut a decoded dump into article drafts, reassembling what page extraction scrambled.
//!
//! The steps, each in its own module (see `docs/SPLIT.md` for the full description):
//! 1. [`blocks`]: lines → paragraphs (blank lines and line breaks end paragraphs; hard-wrapped
//!    lines are unwrapped).
//! 2. [`kinds`]: each paragraph's role (furniture, subtitle, byline, headline, body) and cues
//!    (dateline, lead words, caption marks, closing punctuation); [`cut_short`]: "headlines"
//!    that are a paragraph's first words cut short at a column end turned back into body.
//! 3. [`rejoin`]: column breaks, pairing each paragraph cut mid-sentence with its tail.
//! 4. [`assign`]: headers and body paragraphs grouped into articles, detached headers
//!    reunited with their bodies, headless pieces attached where they belong.
//! 5. [`order`]: reading order inside each article; broken paragraphs joined.
//!
//! Split does the rejoining itself because the same evidence decides assignment: a tail found
//! after another article belongs to its head's article. Clean then only normalises.

pub mod assign;
pub mod blocks;
pub mod boost;
pub mod charlm;
pub mod cut_short;
pub mod evidence;
pub mod joinlm;
pub mod kinds;
pub mod lexical;
pub mod order;
pub mod rejoin;
pub mod rerank;
pub mod segment;
pub mod words;

use crate::record::{Kind, RepairAction};
use crate::stages::draft::{excerpt, Draft};

use assign::Article;
use kinds::{Info, Role};

/// What split knows about a dump before pairing column breaks.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The paragraphs.
    pub paras: Vec<blocks::Para>,
    /// Their texts.
    pub texts: Vec<String>,
    /// Their roles and cues.
    pub infos: Vec<Info>,
    /// Non-furniture paragraph indices, in dump order.
    pub items: Vec<usize>,
    /// Position of each paragraph in `items` (`usize::MAX` for furniture).
    pub pos_of: Vec<usize>,
    /// The dump's bigram statistics.
    pub lex: lexical::Lexicon,
    /// The tails' facts computed so far, for the pairings still to come.
    pub tails: rejoin::TailCache,
}

/// Steps 1–2: paragraphs, their roles, and the "headlines" that are paragraphs cut short at a
/// column end turned back into body (the one its next paragraph clearly continues, and those
/// [`cut_short`] finds).
pub fn prepare(text: &str) -> Prepared {
    let paras = blocks::paragraphs(text);
    let texts: Vec<String> = paras.iter().map(|p| p.text.clone()).collect();
    prepare_texts(paras, texts)
}

/// [`prepare`] before the [`cut_short`] model, with each item's rejoin score with the body
/// paragraph after it where that was computed (for fitting the model: `rejoin_fit`).
pub fn prepare_headlines(text: &str) -> (Prepared, Vec<Option<f32>>) {
    let paras = blocks::paragraphs(text);
    let texts: Vec<String> = paras.iter().map(|p| p.text.clone()).collect();
    prepare_adjacent(paras, texts)
}

/// [`prepare`] of paragraphs already built, with their texts (which `paras` may or may not
/// still hold: only their other fields are read).
fn prepare_texts(paras: Vec<blocks::Para>, texts: Vec<String>) -> Prepared {
    let (mut p, adjacent) = prepare_adjacent(paras, texts);
    cut_short::apply(
        &p.texts,
        &mut p.infos,
        &p.items,
        &p.lex,
        &adjacent,
        &mut p.tails,
    );
    p
}

/// Steps 1–2 up to the adjacent headline rule, with the scores it computed (by item).
fn prepare_adjacent(paras: Vec<blocks::Para>, texts: Vec<String>) -> (Prepared, Vec<Option<f32>>) {
    let mut infos = kinds::classify(&texts);
    let gaps: Vec<usize> = paras.iter().map(|p| p.gap).collect();
    kinds::mark_block_starts(&mut infos, &gaps);
    let items: Vec<usize> = (0..texts.len())
        .filter(|&i| infos[i].role != Role::Furniture)
        .collect();
    let mut pos_of = vec![usize::MAX; texts.len()];
    for (k, &i) in items.iter().enumerate() {
        pos_of[i] = k;
    }
    let lex = lexical::Lexicon::new(&texts);
    let mut adjacent = vec![None; items.len()];
    for (k, w) in items.windows(2).enumerate() {
        let (h, t) = (w[0], w[1]);
        if infos[h].role == Role::Headline && !infos[h].heading_mark && infos[t].role == Role::Body
        {
            let s = rejoin::adjacent_score_of(&lex, &texts[h], t, &texts[t], &infos[t]);
            if s >= HEADLINE_CUT {
                infos[h].role = Role::Body;
            }
            adjacent[k] = Some(s);
        }
    }
    let p = Prepared {
        paras,
        texts,
        infos,
        items,
        pos_of,
        lex,
        tails: rejoin::TailCache::default(),
    };
    (p, adjacent)
}

/// First-stage log-odds of a rejoin (boosted trees) above which a "headline" is a paragraph
/// cut short (chosen on training seeds 1 and 2 among 3, 4, 5; `rejoin_diag` with
/// `HEADLINES=trees` counts the true and false breaks at each cut).
const HEADLINE_CUT: f32 = 4.0;

/// Splits a dump's text into article drafts, in the order they start in the dump.
pub fn split(text: &str) -> Vec<Draft> {
    // Split reads only the paragraphs' unwrap counts afterwards: their texts are moved into
    // `texts` instead of copied.
    let mut paras = blocks::paragraphs(text);
    let texts: Vec<String> = paras
        .iter_mut()
        .map(|p| std::mem::take(&mut p.text))
        .collect();
    let Prepared {
        paras,
        texts,
        infos,
        items,
        pos_of,
        lex,
        mut tails,
    } = prepare_texts(paras, texts);
    let links = rejoin::links_with(&texts, &infos, &items, &lex, &mut tails);
    let articles = assign::assign(&texts, &infos, &items, &links, &lex);
    let mut drafts: Vec<Draft> = articles
        .iter()
        .map(|a| build(a, &texts, &infos, &paras, &links, &pos_of, &lex))
        .collect();
    // Furniture goes to the repairs of the record that follows it, or the last one.
    if drafts.is_empty() && !texts.is_empty() {
        drafts.push(Draft::default());
    }
    let starts: Vec<usize> = articles.iter().map(first_index).collect();
    for (i, info) in infos.iter().enumerate() {
        if info.role != Role::Furniture {
            continue;
        }
        let target = starts
            .iter()
            .position(|&s| s > i)
            .unwrap_or(drafts.len().saturating_sub(1));
        if let Some(d) = drafts.get_mut(target) {
            d.repair(RepairAction::FurnitureRemoved, texts[i].clone());
        }
    }
    drafts
}

fn first_index(a: &Article) -> usize {
    a.header
        .lines()
        .into_iter()
        .chain(a.body.iter().copied())
        .min()
        .unwrap_or(usize::MAX)
}

fn build(
    a: &Article,
    texts: &[String],
    infos: &[Info],
    paras: &[blocks::Para],
    links: &[rejoin::Link],
    pos_of: &[usize],
    lex: &lexical::Lexicon,
) -> Draft {
    let mut d = Draft::default();
    let header_lines = a.header.lines();
    let mut header_text = String::new();
    if let Some(t) = a.header.title {
        d.title = Some(texts[t].clone());
        header_text.push_str(&texts[t]);
    }
    if let Some(s) = a.header.subtitle {
        let sub = texts[s].trim_start_matches(['—', '-', '－', ' ']).trim();
        d.subtitle = Some(sub.to_string());
        header_text.push('\n');
        header_text.push_str(sub);
    }
    for &b in &a.header.bylines {
        push_names(&mut d.authors, &infos[b].names);
    }
    let header_end = header_lines.iter().map(|&h| pos_of[h]).max();
    let groups = order::arrange(
        &a.body,
        &a.headings,
        links,
        infos,
        pos_of,
        lex,
        &header_text,
        header_end,
    );
    let mut dump_order: Vec<usize> = a.body.clone();
    dump_order.sort_by_key(|&i| pos_of[i]);
    let read_order: Vec<usize> = groups.iter().flatten().copied().collect();
    if read_order != dump_order {
        let first = read_order
            .first()
            .map_or(String::new(), |&i| excerpt(&texts[i], 12));
        d.repair(
            RepairAction::Reordered,
            format!("reading order restored; opens with {first}"),
        );
    }
    if let (Some(h), Some(&f)) = (header_end, read_order.first()) {
        if pos_of[f] != h + 1 {
            d.repair(
                RepairAction::HeaderReunited,
                format!("header joined to body at {}", excerpt(&texts[f], 12)),
            );
        }
    }
    for &i in header_lines.iter().chain(read_order.iter()) {
        if paras[i].unwrapped > 0 {
            d.repair(
                RepairAction::Unwrapped,
                format!(
                    "{} lines: {}",
                    paras[i].unwrapped + 1,
                    excerpt(&texts[i], 12)
                ),
            );
        }
    }
    for g in &groups {
        let mut text = String::new();
        for (n, &i) in g.iter().enumerate() {
            if n > 0 {
                d.repair(
                    RepairAction::Rejoined,
                    format!("{}|{}", tail_chars(&text, 8), excerpt(&texts[i], 8)),
                );
            }
            text.push_str(&texts[i]);
        }
        if a.headings.contains(&g[0]) {
            d.headings.push(text.clone());
        }
        if d.dateline.is_none() {
            if let Some(dl) = &infos[g[0]].dateline {
                d.dateline = Some(dl.marker.clone());
                push_names(&mut d.authors, &dl.names);
            }
        }
        d.paragraphs.push(text);
    }
    let body_paras = groups
        .iter()
        .filter(|g| !a.headings.contains(&g[0]))
        .count();
    let body_chars: usize = groups.iter().flatten().map(|&i| infos[i].len).sum();
    d.kind = if d.title.is_none() && read_order.iter().any(|&i| infos[i].caption) {
        Kind::PhotoCaption
    } else if d.dateline.is_some() && body_paras <= 3 && body_chars <= 1200 {
        Kind::Brief
    } else {
        Kind::Article
    };
    d
}

fn push_names(authors: &mut Vec<String>, names: &[String]) {
    for n in names {
        if !authors.contains(n) {
            authors.push(n.clone());
        }
    }
}

fn tail_chars(s: &str, n: usize) -> String {
    let total = s.chars().count();
    let tail: String = s.chars().skip(total.saturating_sub(n)).collect();
    if total > n {
        format!("…{tail}")
    } else {
        tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_line_before_body_becomes_title() {
        let drafts = split("标题一\n\n近日，正文第一段。\n\n正文第二段。\n\n珙县扎实做好文明城市创建工作\n\n近年来，四川省珙县扎实做好文明城市创建工作。\n");
        let titles: Vec<_> = drafts.iter().map(|d| d.title.clone()).collect();
        assert_eq!(
            titles,
            vec![
                Some("标题一".into()),
                Some("珙县扎实做好文明城市创建工作".into())
            ]
        );
        assert_eq!(drafts[0].paragraphs.len(), 2);
    }

    #[test]
    fn adjacent_column_break_is_rejoined() {
        let text = "胶南街道新闻\n\n近日，胶南街道组织党员开展纠纷调解工\n\n作，让党员的作用充分发挥。\n\n胶南街道还开展了其他工作。\n";
        let drafts = split(text);
        assert_eq!(drafts.len(), 1);
        assert_eq!(
            drafts[0].paragraphs[0],
            "近日，胶南街道组织党员开展纠纷调解工作，让党员的作用充分发挥。"
        );
        assert!(drafts[0]
            .repairs
            .iter()
            .any(|r| r.action == RepairAction::Rejoined));
    }

    #[test]
    fn lone_caption_under_a_header_is_not_its_body() {
        let text = "彩民合买揽得大奖\n\n据报道，比赛现场很热闹。图为比赛现场。\n\n应勇会见比尔·盖茨\n\n■林松杰\n\n上海市市长应勇今天下午会见了比尔·盖茨。\n";
        let drafts = split(text);
        let caption = drafts
            .iter()
            .find(|d| d.paragraphs.iter().any(|p| p.contains("图为")));
        assert!(caption.is_some_and(|d| d.title.is_none()), "{drafts:?}");
    }

    #[test]
    fn caption_between_columns_stands_alone() {
        let text = "胶南街道新闻\n\n近日，胶南街道组织党员开展纠纷调解工\n\n11月4日，胶南街道举行志愿服务活动。图为活动现场。（张三 摄）\n\n作，让党员的作用充分发挥。\n\n胶南街道还开展了其他工作。\n";
        let drafts = split(text);
        let caption = drafts
            .iter()
            .find(|d| d.paragraphs.iter().any(|p| p.contains("图为")));
        assert!(
            caption.is_some_and(|d| d.title.is_none() && d.paragraphs.len() == 1),
            "{drafts:?}"
        );
    }

    #[test]
    fn detached_header_takes_its_body_after_an_unfinished_column_end() {
        // The first header's body follows the second article, whose last column ends
        // mid-sentence with its tail never printed.
        let text = "苹果新款手机销量大增\n\n■本报记者 张三\n\n足球联赛冠军揭晓\n\n昨晚足球联赛决赛在北京举行，主队两球取胜夺得联赛冠军。\n\n球队主教练表示，球员们在决赛中的表现非常出色。\n\n赛后大批球迷在球场外庆祝主队夺得冠军，\n\n近日，苹果公司公布了新款手机的销量，新款手机销量比去年大增三成。\n\n分析人士认为，苹果新款手机的销量大增得益于新的定价。\n";
        let drafts = split(text);
        let phone = drafts
            .iter()
            .find(|d| d.title.as_deref() == Some("苹果新款手机销量大增"))
            .map(|d| d.paragraphs.len());
        let football = drafts
            .iter()
            .find(|d| d.title.as_deref() == Some("足球联赛冠军揭晓"))
            .map(|d| d.paragraphs.len());
        assert_eq!((phone, football), (Some(2), Some(3)), "{drafts:?}");
    }

    #[test]
    fn a_headline_after_a_wider_gap_opens_an_article() {
        let body = "足球联赛冠军揭晓\n\n昨晚足球联赛决赛在北京举行，主队两球取胜夺得联赛冠军。\n\n球队主教练表示，球员们在决赛中的表现非常出色。\n";
        let rest = "球迷彻夜庆祝\n\n赛后大批球迷在球场外庆祝，场面十分热闹。\n";
        let count = |gap: &str| split(&format!("{body}{gap}{rest}")).len();
        // One blank line, as everywhere else in the dump: a section heading of the same story.
        assert_eq!(count("\n"), 1);
        // Three: a block starts there, and the headline opens a new story.
        assert_eq!(count("\n\n\n"), 2);
    }

    #[test]
    fn speaker_colon_headline_opens_an_article() {
        let text = "胶南街道党建工作纪实\n\n胶南街道组织党员开展纠纷调解工作。\n\n胶南街道党员还开展了志愿服务。\n\n徐强：做群众的贴心人\n\n胶南街道党员开展纠纷调解和志愿服务工作。\n";
        let titles: Vec<_> = split(text).into_iter().map(|d| d.title).collect();
        assert_eq!(
            titles,
            vec![
                Some("胶南街道党建工作纪实".into()),
                Some("徐强：做群众的贴心人".into())
            ]
        );
    }

    #[test]
    fn furniture_is_removed_and_reported() {
        let drafts = split("第3版\n\n标题\n\n近日，正文。\n");
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].paragraphs, vec!["近日，正文。"]);
        assert_eq!(drafts[0].repairs[0].action, RepairAction::FurnitureRemoved);
        assert_eq!(drafts[0].repairs[0].detail, "第3版");
    }
}
