//! `check-config`, `schema` and argument handling.

use crate::util::run_cli;

#[test]
fn check_config_accepts_the_shipped_file_and_rejects_unknown_keys() {
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/config/presswire.toml");
    let ok = run_cli(&["check-config", "--no-environment", shipped], None);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "inbox = \"in\"\noutbx = \"out\"\n").unwrap_or_default();
    let out = run_cli(&["check-config", bad.to_str().unwrap_or_default()], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("outbx"),
        "the message names the unknown key: {err}"
    );

    let nested = dir.path().join("nested.toml");
    std::fs::write(&nested, "inbox = \"data\"\noutbox = \"data/out\"\n").unwrap_or_default();
    let out = run_cli(
        &[
            "check-config",
            "--no-environment",
            nested.to_str().unwrap_or_default(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "nested inbox/outbox is refused");
}

#[test]
fn schema_describes_every_record_field() {
    let out = run_cli(&["schema"], None);
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let props = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    for f in [
        "id",
        "schema",
        "source",
        "title",
        "kind",
        "paragraphs",
        "keywords",
        "entities",
        "category",
        "repairs",
        "stats",
    ] {
        assert!(props.iter().any(|p| p == f), "schema lacks {f}: {props:?}");
    }
}
