//! `presswire replay`: batch replay of folders and archives into an outbox.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::util::{list, run_cli, sample_dump, wait_until, Daemon, Dirs};

const T: Duration = Duration::from_secs(60);

/// Distinct, realistic dumps: the sample with one extra paragraph each.
fn dumps(n: usize) -> Vec<(String, Vec<u8>)> {
    let base = String::from_utf8(sample_dump()).unwrap_or_default();
    (0..n)
        .map(|i| {
            (
                format!("page-{i:02}.txt"),
                format!("{base}\n第{i}号附加段落，记者报道。\n").into_bytes(),
            )
        })
        .collect()
}

/// A small article stream (JSONL input), one line per article.
fn jsonl_input() -> (String, Vec<u8>) {
    let lines = [
        r#"{"id":"a1","title":"足球联赛开幕","text":"本报讯 昨日，北京国安在工人体育场迎战上海申花。\n比赛吸引了五万名观众。"}"#,
        r#"{"id":"a2","text":"华为公司在深圳发布了新款手机。"}"#,
    ];
    (
        "stream.jsonl".into(),
        format!("{}\n", lines.join("\n")).into_bytes(),
    )
}

/// Every `*.jsonl` file in `dir`, by name, with its bytes.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    list(dir, |n| n.ends_with(".jsonl") && !n.starts_with('.'))
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, fs::read(&p).unwrap_or_default())
        })
        .collect()
}

fn replay(args: &[&str]) -> Output {
    let mut all = vec!["replay", "--deterministic", "--quiet"];
    all.extend_from_slice(args);
    run_cli(&all, None)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

fn summary(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes the inputs into `dir/sub/` (one level down, to exercise the recursive walk).
fn write_folder(dir: &Path, inputs: &[(String, Vec<u8>)]) -> PathBuf {
    let sub = dir.join("sub");
    fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("mkdir: {e}"));
    for (name, bytes) in inputs {
        fs::write(sub.join(name), bytes).unwrap_or_else(|e| panic!("write: {e}"));
    }
    dir.to_path_buf()
}

#[test]
fn replay_output_is_byte_identical_to_the_daemons() {
    let dirs = Dirs::new();
    let mut inputs = dumps(3);
    inputs.push(jsonl_input());

    let daemon = Daemon::start(&dirs, &[]);
    for (name, bytes) in &inputs {
        dirs.drop_file(name, bytes);
    }
    wait_until(dirs.root.path(), T, "every input archived", || {
        list(&dirs.archive(), |_| true).len() == inputs.len()
    });
    let (status, _) = daemon.stop(T);
    assert!(status.success());
    let from_daemon = outputs(&dirs.outbox);
    assert_eq!(from_daemon.len(), inputs.len());

    let folder = write_folder(&dirs.root.path().join("archive"), &inputs);
    let out = dirs.root.path().join("replayed");
    let run = replay(&["--out", s(&out), "--jobs", "2", s(&folder)]);
    assert!(run.status.success(), "{}", summary(&run));
    assert!(
        summary(&run).contains(&format!("{} files processed", inputs.len())),
        "{}",
        summary(&run)
    );
    let from_replay = outputs(&out);
    assert_eq!(
        from_replay.keys().collect::<Vec<_>>(),
        from_daemon.keys().collect::<Vec<_>>(),
        "same output names"
    );
    for (name, bytes) in &from_daemon {
        assert!(
            from_replay.get(name) == Some(bytes),
            "{name} differs between daemon and replay"
        );
    }
    assert_eq!(
        list(&out, |_| true).len(),
        inputs.len(),
        "the output folder holds only the outputs (no .failed/ when nothing failed)"
    );
}

fn build_tar(path: &Path, gz: bool, inputs: &[(String, Vec<u8>)]) {
    let file = File::create(path).unwrap_or_else(|e| panic!("create: {e}"));
    let w: Box<dyn Write> = if gz {
        Box::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(file)
    };
    let mut b = tar::Builder::new(w);
    for (name, bytes) in inputs {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("2018/11/{name}"), bytes.as_slice())
            .unwrap_or_else(|e| panic!("tar: {e}"));
    }
    b.into_inner()
        .and_then(|mut w| w.flush())
        .unwrap_or_else(|e| panic!("tar finish: {e}"));
}

fn build_zip(path: &Path, inputs: &[(String, Vec<u8>)]) {
    let file = File::create(path).unwrap_or_else(|e| panic!("create: {e}"));
    let mut z = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in inputs {
        z.start_file(format!("2018/11/{name}"), opts)
            .and_then(|()| z.write_all(bytes).map_err(Into::into))
            .unwrap_or_else(|e| panic!("zip: {e}"));
    }
    z.finish().unwrap_or_else(|e| panic!("zip finish: {e}"));
}

#[test]
fn tar_tgz_and_zip_archives_give_the_same_outputs_as_a_folder() {
    let dirs = Dirs::new();
    let mut inputs = dumps(4);
    inputs.push(jsonl_input());
    let root = dirs.root.path();
    let folder = write_folder(&root.join("folder"), &inputs);
    let mut with_junk = inputs.clone();
    // Hidden and partial members follow the inbox's rules: skipped, not failed.
    with_junk.push((".DS_Store".into(), b"\0\0junk".to_vec()));
    with_junk.push(("upload.part".into(), b"\0\0junk".to_vec()));
    build_tar(&root.join("dumps.tar"), false, &with_junk);
    build_tar(&root.join("dumps.tgz"), true, &with_junk);
    build_zip(&root.join("dumps.zip"), &with_junk);

    let expected = {
        let out = root.join("out-folder");
        let run = replay(&["--out", s(&out), s(&folder)]);
        assert!(run.status.success(), "{}", summary(&run));
        outputs(&out)
    };
    assert_eq!(expected.len(), inputs.len());
    for archive in ["dumps.tar", "dumps.tgz", "dumps.zip"] {
        let out = root.join(format!("out-{archive}"));
        let run = replay(&["--out", s(&out), s(&root.join(archive))]);
        assert!(run.status.success(), "{archive}: {}", summary(&run));
        assert!(
            summary(&run).contains(&format!("{} files processed", inputs.len())),
            "{archive}: {}",
            summary(&run)
        );
        assert_eq!(outputs(&out), expected, "{archive} output differs");
    }
}

#[test]
fn an_interrupted_replay_resumes_and_force_redoes_everything() {
    let dirs = Dirs::new();
    let inputs = dumps(5);
    let root = dirs.root.path();
    build_tar(&root.join("dumps.tgz"), true, &inputs);
    let out = root.join("out");
    let first = replay(&["--out", s(&out), s(&root.join("dumps.tgz"))]);
    assert!(first.status.success(), "{}", summary(&first));
    let complete = outputs(&out);
    assert_eq!(complete.len(), 5);

    // Simulate an interruption: two outputs missing and a stray temp file left behind.
    let gone: Vec<&String> = complete.keys().take(2).collect();
    for name in &gone {
        fs::remove_file(out.join(name)).unwrap_or_else(|e| panic!("rm: {e}"));
    }
    fs::write(out.join(format!(".{}.tmp", gone[0])), b"{\"partial").unwrap_or_default();

    let resumed = replay(&["--out", s(&out), s(&root.join("dumps.tgz"))]);
    assert!(resumed.status.success(), "{}", summary(&resumed));
    let text = summary(&resumed);
    assert!(text.contains("2 files processed"), "{text}");
    assert!(text.contains("3 skipped"), "{text}");
    assert_eq!(
        outputs(&out),
        complete,
        "resumed run restores identical outputs"
    );
    assert_eq!(list(&out, |_| true).len(), 5, "the stray temp file is gone");

    let forced = replay(&["--force", "--out", s(&out), s(&root.join("dumps.tgz"))]);
    let text = summary(&forced);
    assert!(
        text.contains("5 files processed") && text.contains("0 skipped"),
        "{text}"
    );
    assert_eq!(outputs(&out), complete);
}

#[test]
fn failures_are_listed_and_reported_without_aborting() {
    let dirs = Dirs::new();
    let root = dirs.root.path();
    let mut inputs = dumps(2);
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    inputs.push(("garbage.bin".into(), garbage));
    inputs.push(("empty.txt".into(), Vec::new()));
    let folder = write_folder(&root.join("in"), &inputs);
    // An archive that is cut short: its readable members count, the rest is one failure.
    build_tar(&root.join("cut.tar"), false, &dumps(1));
    let bytes = fs::read(root.join("cut.tar")).unwrap_or_default();
    fs::write(root.join("cut.tar"), &bytes[..bytes.len() / 3]).unwrap_or_default();
    let out = root.join("out");

    let run = replay(&[
        "--out",
        s(&out),
        s(&folder),
        s(&root.join("cut.tar")),
        s(&root.join("missing.tgz")),
    ]);
    assert_eq!(run.status.code(), Some(1), "failures give exit code 1");
    let text = summary(&run);
    assert!(text.contains("2 files processed"), "{text}");
    assert!(text.contains("4 failed"), "{text}");
    for what in ["garbage.bin", "empty.txt", "cut.tar", "missing.tgz"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("failed: ") && l.contains(what)),
            "{what} is listed: {text}"
        );
    }
    assert_eq!(outputs(&out).len(), 2, "good inputs were written");
    let failed_dir = out.join(".failed");
    let reports = list(&failed_dir, |n| n.ends_with(".error.json"));
    assert_eq!(reports.len(), 4, "{reports:?}");
    let report_for = |what: &str| -> serde_json::Value {
        let p = reports
            .iter()
            .find(|p| p.to_string_lossy().contains(what))
            .unwrap_or_else(|| panic!("no report for {what}"));
        serde_json::from_slice(&fs::read(p).unwrap_or_default()).unwrap_or_default()
    };
    let garbage = report_for("garbage.bin");
    assert_eq!(garbage["file"], "garbage.bin");
    assert_eq!(garbage["stage"], "decode");
    assert!(garbage["sha256"].as_str().is_some_and(|h| h.len() == 64));
    assert_eq!(report_for("cut.tar")["code"], "archive.corrupt");
    assert_eq!(report_for("missing.tgz")["code"], "read.missing");
    assert!(
        list(&out, |n| !n.ends_with(".jsonl"))
            .iter()
            .all(|p| p.ends_with(".failed")),
        "only *.jsonl and the .failed/ folder in the output"
    );

    // Fixed inputs succeed on the next run and their stale reports disappear.
    let sub = folder.join("sub");
    fs::write(sub.join("garbage.bin"), sample_dump()).unwrap_or_default();
    fs::remove_file(sub.join("empty.txt")).unwrap_or_default();
    let rerun = replay(&["--out", s(&out), s(&folder)]);
    assert!(rerun.status.success(), "{}", summary(&rerun));
    let left: Vec<String> = list(&failed_dir, |_| true)
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert!(
        !left.iter().any(|n| n.contains("garbage.bin")),
        "the fixed input's report is removed: {left:?}"
    );
}
