//! NATS JetStream scale-out, against a real server: `.ci/run` starts `nats-server -js` and
//! exports `NATS_URL`. Without `NATS_URL` every test here prints why and passes.
//!
//! Each test uses its own stream, consumer, bucket and subjects, so they run in parallel on
//! one server and never see each other's jobs.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_nats::jetstream;
use presswire::sink::quarantine::ErrorReport;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const BIN: &str = env!("CARGO_BIN_EXE_presswire");

/// The server URL, or `None` after printing why the test is skipped.
fn nats_url(test: &str) -> Option<String> {
    match std::env::var("NATS_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            eprintln!("SKIPPED {test}: NATS_URL is unset; run .ci/run (it starts nats-server -js) or export NATS_URL=nats://127.0.0.1:4222");
            None
        }
    }
}

/// Names private to one test.
struct Names {
    tag: String,
}

impl Names {
    fn new(test: &str) -> Names {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Names {
            tag: format!("t{}{}{nanos}", test, std::process::id()),
        }
    }
    fn jobs(&self) -> String {
        format!("{}_JOBS", self.tag.to_uppercase())
    }
    fn dead(&self) -> String {
        format!("{}_DEAD", self.tag.to_uppercase())
    }
    fn articles(&self) -> String {
        format!("{}_ART", self.tag.to_uppercase())
    }
    fn article_subject(&self) -> String {
        format!("{}.articles", self.tag)
    }
    /// A config file using these names and short timings.
    fn config(&self, dir: &Path) -> std::io::Result<PathBuf> {
        let path = dir.join("presswire.toml");
        fs::write(
            &path,
            format!(
                r#"settle = "50ms"
rescan_interval = "1s"
[nats]
stream = "{jobs}"
subject = "{tag}.jobs"
consumer = "{tag}-workers"
dead_letter_stream = "{dead}"
dead_letter_subject = "{tag}.dead"
object_bucket = "{tag}-dumps"
articles_stream = "{art}"
duplicate_window = "1h"
max_deliver = 3
ack_wait = "2s"
nak_delay = "100ms"
concurrency = 2
"#,
                jobs = self.jobs(),
                dead = self.dead(),
                art = self.articles(),
                tag = self.tag,
            ),
        )?;
        Ok(path)
    }
}

/// A short synthetic dump of two Chinese articles, distinct for each `i`.
fn dump(i: usize) -> String {
    const PLACES: [&str; 8] = [
        "北京", "上海", "广州", "成都", "武汉", "西安", "杭州", "南京",
    ];
    const TOPICS: [(&str, &str, &str); 4] = [
        ("乡村振兴", "合作社", "农民增收"),
        ("教育改革", "学校", "课堂质量"),
        ("全民健身", "运动员", "比赛成绩"),
        ("科技创新", "企业", "研发投入"),
    ];
    let place = PLACES[i % PLACES.len()];
    let mut text = String::new();
    for k in 0..2 {
        let (topic, actor, result) = TOPICS[(i + k) % TOPICS.len()];
        text.push_str(&format!(
            "{place}{topic}工作稳步推进 第{i}期之{k}\n\n\
             本报讯 近日，{place}市围绕{topic}开展专项行动，{actor}积极参与，{result}明显提升。\
             据统计，今年参与人数达到{n}人，比去年增加{m}人。\n\n\
             有关负责人表示，下一步将继续加大工作力度，推动{topic}取得更大成效。\n\n",
            n = 1000 + i * 37 + k,
            m = 10 + i % 90,
        ));
    }
    text
}

fn sha256(bytes: &[u8]) -> String {
    presswire::source::read::sha256_hex(bytes)
}

/// Writes `n` dumps into `dir`; returns their hashes.
fn write_dumps(dir: &Path, n: usize) -> std::io::Result<BTreeSet<String>> {
    fs::create_dir_all(dir)?;
    let mut hashes = BTreeSet::new();
    for i in 0..n {
        let d = dump(i);
        fs::write(dir.join(format!("dump-{i:03}.txt")), &d)?;
        hashes.insert(sha256(d.as_bytes()));
    }
    Ok(hashes)
}

fn presswire(args: &[&str], url: &str) -> std::io::Result<Output> {
    Command::new(BIN)
        .args(args)
        .env("NATS_URL", url)
        .env("RUST_LOG", "warn")
        .output()
}

fn spawn(args: &[&str], url: &str, log: &Path) -> std::io::Result<Child> {
    let log = fs::File::create(log)?;
    Command::new(BIN)
        .args(args)
        .env("NATS_URL", url)
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
}

/// Runs presswire and returns its output, or `None` (after killing it) if it is still running
/// after `limit`.
fn output_within(args: &[&str], url: &str, limit: Duration) -> std::io::Result<Option<Output>> {
    let mut child = Command::new(BIN)
        .args(args)
        .env("NATS_URL", url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let deadline = Instant::now() + limit;
    // No portable event for "child exited" without blocking: poll.
    while child.try_wait()?.is_none() {
        if Instant::now() > deadline {
            child.kill()?;
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().map(Some)
}

fn terminate(child: &mut Child) -> std::io::Result<std::process::ExitStatus> {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    assert!(status.success(), "kill -TERM failed");
    child.wait()
}

/// Output files (`*.jsonl`) in an outbox.
/// Sends SIGHUP and waits for the process to log that it ignored it (the relay and the worker
/// cannot reload; SIGHUP must not kill them).
async fn hangup(child: &Child, log: &Path) -> TestResult {
    let status = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()?;
    assert!(status.success(), "kill -HUP failed");
    wait_for("SIGHUP logged", Duration::from_secs(30), || {
        let text = fs::read_to_string(log).unwrap_or_default();
        async move { text.contains("SIGHUP ignored") }
    })
    .await
}

fn outputs(outbox: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(outbox)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Polls `check` every 50 ms until it holds, or fails after `limit` with `what`.
async fn wait_for<F, Fut>(what: &str, limit: Duration, mut check: F) -> TestResult
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !check().await {
        if Instant::now() > deadline {
            return Err(format!("timed out after {limit:?} waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn messages(js: &jetstream::Context, stream: &str) -> u64 {
    match js.get_stream(stream).await {
        Ok(mut s) => s.info().await.map(|i| i.state.messages).unwrap_or(0),
        Err(_) => 0,
    }
}

/// Deletes what a test created on the shared server.
async fn cleanup(js: &jetstream::Context, n: &Names) {
    for s in [n.jobs(), n.dead(), n.articles()] {
        let _ = js.delete_stream(&s).await;
    }
    let _ = js.delete_object_store(format!("{}-dumps", n.tag)).await;
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_one_killed_each_dump_once_poison_dead_lettered_resubmit_queues_nothing(
) -> TestResult {
    let Some(url) = nats_url("two_workers_one_killed") else {
        return Ok(());
    };
    let tmp = tempfile::tempdir()?;
    let names = Names::new("kill");
    let cfg = names.config(tmp.path())?;
    let cfg = cfg.to_string_lossy().into_owned();
    let dumps = tmp.path().join("dumps");
    let hashes = write_dumps(&dumps, 200)?;
    let poison: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    fs::write(dumps.join("poison.bin"), &poison)?;
    let poison_sha = sha256(&poison);
    let outbox = tmp.path().join("outbox");
    let out = outbox.to_string_lossy().into_owned();
    let subject = names.article_subject();
    let dumps_arg = dumps.to_string_lossy().into_owned();

    let submitted = presswire(&["submit", "-c", &cfg, &dumps_arg], &url)?;
    assert!(submitted.status.success(), "{submitted:?}");
    assert!(
        stdout(&submitted).contains("queued 201,"),
        "{}",
        stdout(&submitted)
    );

    let worker = |log: &str| {
        spawn(
            &[
                "worker",
                "-c",
                &cfg,
                "--outbox",
                &out,
                "--publish-subject",
                &subject,
                "--deterministic",
            ],
            &url,
            &tmp.path().join(log),
        )
    };
    let mut a = worker("a.log")?;
    let mut b = worker("b.log")?;
    wait_for("20 outputs", Duration::from_secs(120), || {
        let n = outputs(&outbox).len();
        async move { n >= 20 }
    })
    .await?;
    a.kill()?; // SIGKILL: jobs it held are redelivered after ack_wait
    a.wait()?;
    assert!(outputs(&outbox).len() < 200, "killed too late to matter");

    let client = async_nats::connect(&url).await?;
    let js = jetstream::new(client);
    let jobs = names.jobs();
    let dead = names.dead();
    wait_for(
        "200 outputs, an empty job stream and one dead letter",
        Duration::from_secs(180),
        || {
            let (js, jobs, dead, n) = (&js, &jobs, &dead, outputs(&outbox).len());
            async move { n >= 200 && messages(js, jobs).await == 0 && messages(js, dead).await >= 1 }
        },
    )
    .await?;

    // Exactly one output per dump, none twice: each file holds the records of one dump.
    let files = outputs(&outbox);
    assert_eq!(files.len(), 200);
    let mut seen = BTreeSet::new();
    let mut records = 0u64;
    for f in &files {
        let text = fs::read_to_string(f)?;
        let shas: BTreeSet<String> = text
            .lines()
            .map(|l| serde_json::from_str::<presswire::Record>(l).map(|r| r.source.sha256))
            .collect::<Result<_, _>>()?;
        assert_eq!(shas.len(), 1, "{} mixes dumps", f.display());
        records += text.lines().count() as u64;
        seen.extend(shas);
    }
    assert_eq!(seen, hashes, "outputs are exactly the submitted dumps");
    // Every record published exactly once, despite the redeliveries.
    assert_eq!(messages(&js, &names.articles()).await, records);

    // The poison dump is in the dead-letter stream with its error report.
    let mut dl = js.get_stream(&dead).await?;
    let (count, first) = {
        let info = dl.info().await?;
        (info.state.messages, info.state.first_sequence)
    };
    assert_eq!(count, 1);
    let msg = dl.get_raw_message(first).await?;
    let report: ErrorReport = serde_json::from_slice(&msg.payload)?;
    assert_eq!(report.sha256.as_deref(), Some(poison_sha.as_str()));
    assert_eq!(report.file, "poison.bin");
    assert!(
        report.code.starts_with("decode.") || report.code == "job.max_deliveries",
        "{report:?}"
    );
    let deliveries = msg
        .headers
        .get("Presswire-Deliveries")
        .map(|v| v.as_str().to_string());
    assert_eq!(
        deliveries.as_deref(),
        Some("3"),
        "dead-lettered after max_deliver"
    );
    // Its bytes are kept for operators, under its hash.
    let store = js.get_object_store(format!("{}-dumps", names.tag)).await?;
    assert!(store
        .info(&poison_sha)
        .await
        .is_ok_and(|i| !i.deleted && i.size == poison.len()));

    // Re-submitting everything queues nothing new: JetStream refuses the same ids…
    let again = presswire(&["submit", "-c", &cfg, &dumps_arg], &url)?;
    assert!(again.status.success(), "{again:?}");
    assert!(
        stdout(&again).contains("queued 0, duplicate 201"),
        "{}",
        stdout(&again)
    );
    // …and with --outbox, content already processed is not even sent.
    let skip = presswire(&["submit", "-c", &cfg, "--outbox", &out, &dumps_arg], &url)?;
    assert!(
        stdout(&skip).contains("queued 0, duplicate 1, already done 200"),
        "{}",
        stdout(&skip)
    );
    assert_eq!(messages(&js, &jobs).await, 0);

    let status = terminate(&mut b)?;
    assert!(status.success(), "worker b exit: {status:?}");
    let leftovers: Vec<_> = fs::read_dir(&outbox)?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.file_name())
        .collect();
    // Only the SIGKILLed worker's staging folder may remain.
    assert!(leftovers.len() <= 1, "{leftovers:?}");
    cleanup(&js, &names).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_submit_to_archives_after_ack_and_big_dumps_go_through_the_bucket() -> TestResult {
    let Some(url) = nats_url("run_submit_to") else {
        return Ok(());
    };
    let tmp = tempfile::tempdir()?;
    let names = Names::new("relay");
    let cfg = names.config(tmp.path())?;
    let cfg = cfg.to_string_lossy().into_owned();
    let inbox = tmp.path().join("inbox");
    fs::create_dir_all(&inbox)?;
    let small = dump(7);
    // Over the server's 1 MiB default max payload: must travel through the object bucket.
    let mut big = String::new();
    for i in 0.. {
        if big.len() > 1_300_000 {
            break;
        }
        big.push_str(&dump(i));
    }
    let inbox_arg = inbox.to_string_lossy().into_owned();
    let local_out = tmp.path().join("local-out").to_string_lossy().into_owned();
    let mut daemon = spawn(
        &[
            "run",
            "-c",
            &cfg,
            "--inbox",
            &inbox_arg,
            "--outbox",
            &local_out,
            "--submit-to",
            &url,
        ],
        &url,
        &tmp.path().join("run.log"),
    )?;
    for (name, text) in [("small.txt", &small), ("big.txt", &big)] {
        let hidden = inbox.join(format!(".{name}"));
        fs::write(&hidden, text)?;
        fs::rename(&hidden, inbox.join(name))?;
    }
    let done = inbox.join(".done");
    wait_for("both files archived", Duration::from_secs(60), || {
        let n = fs::read_dir(&done).map(|d| d.count()).unwrap_or(0);
        async move { n == 2 }
    })
    .await?;
    // A second `run` on the same inbox, submitting or processing locally, is refused.
    for extra in [&["--submit-to", url.as_str()][..], &[][..]] {
        let mut args = vec![
            "run", "-c", &cfg, "--inbox", &inbox_arg, "--outbox", &local_out,
        ];
        args.extend_from_slice(extra);
        let Some(second) = output_within(&args, &url, Duration::from_secs(30))? else {
            panic!("a second run on the same inbox kept running: {args:?}");
        };
        assert_eq!(second.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&second.stderr);
        assert!(err.contains("already in use"), "{args:?}: {err}");
    }
    let client = async_nats::connect(&url).await?;
    let js = jetstream::new(client);
    // Archived only after the ack: both jobs are in the stream now.
    assert_eq!(messages(&js, &names.jobs()).await, 2);
    hangup(&daemon, &tmp.path().join("run.log")).await?;
    let status = terminate(&mut daemon)?;
    assert!(status.success(), "run --submit-to exit: {status:?}");
    assert!(
        outputs(Path::new(&local_out)).is_empty(),
        "nothing is processed locally"
    );

    let out = tmp.path().join("worker-out");
    let out_arg = out.to_string_lossy().into_owned();
    let mut w = spawn(
        &[
            "worker",
            "-c",
            &cfg,
            "--outbox",
            &out_arg,
            "--deterministic",
        ],
        &url,
        &tmp.path().join("w.log"),
    )?;
    wait_for("two outputs", Duration::from_secs(120), || {
        let n = outputs(&out).len();
        async move { n == 2 }
    })
    .await?;
    hangup(&w, &tmp.path().join("w.log")).await?;
    assert!(
        terminate(&mut w)?.success(),
        "the worker survives SIGHUP and drains"
    );

    // The worker's records are byte-for-byte those of `presswire process` on the same file.
    let big_path = done.join("big.txt");
    let local = Command::new(BIN)
        .args(["process", "--deterministic"])
        .arg(&big_path)
        .output()?;
    assert!(local.status.success());
    let name = presswire::sink::Outbox::file_name(&sha256(big.as_bytes()));
    assert_eq!(fs::read(out.join(name))?, local.stdout);
    // The finished job's object was deleted.
    let store = js.get_object_store(format!("{}-dumps", names.tag)).await?;
    let info = store.info(sha256(big.as_bytes())).await;
    assert!(info.map_or(true, |i| i.deleted), "object left behind");
    cleanup(&js, &names).await;
    Ok(())
}
