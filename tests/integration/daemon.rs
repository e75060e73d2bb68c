//! `presswire run`: the inbox → outbox daemon.

use std::collections::HashSet;
use std::time::Duration;

use crate::util::{list, read_records, sample_dump, wait_until, Daemon, Dirs};

const T: Duration = Duration::from_secs(60);

/// The five headlines of the sample dump (the sixth item is a headless photo caption).
const SAMPLE_TITLES: [&str; 5] = [
    "党建领航聚合力 文明花香溢财苑",
    "青岛西海岸新区胶南街道·凝聚红色力量烹好惠民大餐",
    "珙县扎实做好省级文明城市创建工作",
    "陕煤集团黄陵矿业双龙煤业开展消防安全培训",
    "屏山县新安镇聚福村：党建引领基层治理 全面推进乡村振兴",
];

const FIELDS: [&str; 17] = [
    "id",
    "schema",
    "source",
    "title",
    "subtitle",
    "authors",
    "dateline",
    "kind",
    "headings",
    "paragraphs",
    "text",
    "keywords",
    "entities",
    "category",
    "repairs",
    "stats",
    "processed_at",
];

#[test]
fn sample_dump_flows_from_inbox_to_outbox_and_is_archived() {
    let dirs = Dirs::new();
    let mut daemon = Daemon::start(&dirs, &[]);
    dirs.drop_file("page-01.txt", &sample_dump());
    wait_until(
        dirs.root.path(),
        T,
        "the output and the archived input",
        || dirs.outputs().len() == 1 && dirs.archive().join("page-01.txt").exists(),
    );
    let line = daemon.wait_log("processed", T);
    assert!(
        line.contains("page-01.txt"),
        "one INFO line per dump names the file: {line}"
    );

    let outputs = dirs.outputs();
    let records = read_records(&outputs[0]);
    assert!(
        records.len() >= 6,
        "the sample holds six items, got {}",
        records.len()
    );
    for r in &records {
        for f in FIELDS {
            assert!(r.get(f).is_some(), "field {f} missing in {r}");
        }
        assert_eq!(r["schema"], "presswire.article/1");
        assert_eq!(r["source"]["file"], "page-01.txt");
        assert!(matches!(
            r["kind"].as_str(),
            Some("article" | "brief" | "photo_caption")
        ));
        assert!(
            r["processed_at"].is_null(),
            "deterministic mode leaves processed_at null"
        );
    }
    for title in SAMPLE_TITLES {
        let n = records.iter().filter(|r| r["title"] == title).count();
        assert_eq!(n, 1, "title {title:?} should head exactly one record");
    }
    assert!(
        !dirs.inbox.join("page-01.txt").exists(),
        "input left the inbox"
    );
    assert_eq!(
        dirs.outbox_entries().len(),
        1,
        "the outbox holds nothing else: {:?}",
        dirs.outbox_entries()
    );
    // The output name comes from the content hash.
    let sha = records[0]["source"]["sha256"].as_str().unwrap_or_default();
    assert_eq!(
        outputs[0]
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
        Some(format!("{}.jsonl", &sha[..16]))
    );

    let (status, _) = daemon.stop(T);
    assert!(status.success(), "SIGTERM exits 0, got {status}");
}

#[test]
fn garbage_is_quarantined_while_a_good_file_is_processed() {
    let dirs = Dirs::new();
    let daemon = Daemon::start(&dirs, &[]);
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    dirs.drop_file("garbage.bin", &garbage);
    dirs.drop_file("good.txt", &sample_dump());
    let report = dirs.quarantine().join("garbage.bin.error.json");
    wait_until(
        dirs.root.path(),
        T,
        "quarantine report and good output",
        || report.exists() && dirs.outputs().len() == 1 && dirs.archive().join("good.txt").exists(),
    );
    assert!(
        dirs.quarantine().join("garbage.bin").exists(),
        "the bad input itself is kept in quarantine"
    );
    let err: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap_or_default()).unwrap_or_default();
    assert_eq!(err["file"], "garbage.bin");
    assert_eq!(err["stage"], "decode");
    assert!(err["reason"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(dirs.archive().join("good.txt").exists());
    let (status, _) = daemon.stop(T);
    assert!(status.success());
}

#[test]
fn files_already_waiting_are_found_by_the_startup_scan_and_same_content_yields_one_output() {
    let dirs = Dirs::new();
    // Written before the daemon starts, one under two names: found by the scan, processed once.
    std::fs::write(dirs.inbox.join("a.txt"), sample_dump()).unwrap_or_default();
    std::fs::write(dirs.inbox.join("b.txt"), sample_dump()).unwrap_or_default();
    // Ignored names stay where they are.
    std::fs::write(dirs.inbox.join(".hidden.txt"), "忽略").unwrap_or_default();
    std::fs::write(dirs.inbox.join("upload.part"), "忽略").unwrap_or_default();
    let daemon = Daemon::start(&dirs, &["--config", "/dev/null"]);
    wait_until(dirs.root.path(), T, "both inputs archived", || {
        dirs.archive().join("a.txt").exists() && dirs.archive().join("b.txt").exists()
    });
    assert_eq!(
        dirs.outputs().len(),
        1,
        "same bytes under two names give one output"
    );
    assert!(dirs.inbox.join(".hidden.txt").exists() && dirs.inbox.join("upload.part").exists());
    let (status, _) = daemon.stop(T);
    assert!(status.success());
}

#[test]
fn a_file_written_in_place_is_processed_once_complete() {
    let dirs = Dirs::new();
    let daemon = Daemon::start(&dirs, &[]);
    {
        use std::io::Write;
        let mut f =
            std::fs::File::create(dirs.inbox.join("inplace.txt")).unwrap_or_else(|e| panic!("{e}"));
        let bytes = sample_dump();
        let (a, b) = bytes.split_at(bytes.len() / 2);
        f.write_all(a).unwrap_or_default();
        f.flush().unwrap_or_default();
        f.write_all(b).unwrap_or_default();
    }
    wait_until(dirs.root.path(), T, "in-place file processed", || {
        dirs.archive().join("inplace.txt").exists()
    });
    let outputs = dirs.outputs();
    assert_eq!(outputs.len(), 1);
    let records = read_records(&outputs[0]);
    let sha = records[0]["source"]["sha256"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let expected = presswire::source::read::sha256_hex(&sample_dump());
    assert_eq!(sha, expected, "the whole file was read, not a prefix");
    let (status, _) = daemon.stop(T);
    assert!(status.success());
}

#[test]
fn many_dumps_each_get_exactly_one_output() {
    let dirs = Dirs::new();
    let daemon = Daemon::start(&dirs, &[]);
    let base = String::from_utf8(sample_dump()).unwrap_or_default();
    for i in 0..20 {
        dirs.drop_file(
            &format!("d{i:02}.txt"),
            format!("{base}\n编号{i}的附加段落。\n").as_bytes(),
        );
    }
    wait_until(dirs.root.path(), T, "20 outputs", || {
        list(&dirs.archive(), |_| true).len() == 20
    });
    let outs = dirs.outputs();
    assert_eq!(outs.len(), 20);
    let files: HashSet<String> = outs
        .iter()
        .flat_map(|p| read_records(p))
        .map(|r| r["source"]["file"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(files.len(), 20);
    let (status, _) = daemon.stop(T);
    assert!(status.success());
}
