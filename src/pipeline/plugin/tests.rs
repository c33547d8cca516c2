//! Plugins as real processes: shell and Python programs in a temporary
//! folder, every failure a clear error, and no process left behind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::*;

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "ws-plugin-{tag}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A plugin folder with `script` as `run.sh` and a manifest around it.
fn plugin(root: &Path, name: &str, script: &str, extra: &str) -> Plugin {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("run.sh"), script).unwrap();
    let manifest = format!(
        r#"(
            version: 1,
            name: "{name}",
            description: "test",
            kind: FeatureExtraction,
            command: ["sh", "run.sh"],
            params: [
                (name: "gain", help: "how much", kind: Float(min: 0.0, max: 2.0, default: 1.0)),
                (name: "mode", kind: Choice(options: ["fast", "slow"], default: "fast")),
            ],
            outputs: [(name: "answer")],
            {extra}
        )"#
    );
    std::fs::write(dir.join(MANIFEST_FILE), manifest).unwrap();
    Plugin::load(&dir).unwrap()
}

fn request() -> Request {
    Request {
        protocol: 1,
        file: "/music/a.flac".into(),
        params: Map::new(),
        prior: Map::new(),
    }
}

fn run(p: &Plugin, timeout_s: f64) -> Result<Reply, PluginError> {
    run_once(p, &request(), Duration::from_secs_f64(timeout_s), &|| false)
}

/// Live processes left in process group `pgid`, after giving a SIGKILL
/// already sent up to a second to take effect.
fn alive_in_group(pgid: &str) -> usize {
    let begun = Instant::now();
    loop {
        let n = count_in_group(pgid);
        if n == 0 || begun.elapsed() > Duration::from_secs(1) {
            return n;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Live (not zombie, not dead) processes in process group `pgid` now.
fn count_in_group(pgid: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            // pid (comm) state ppid pgrp ...: split after the comm's ')'.
            let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
            let fields: Vec<&str> = rest.split_whitespace().collect();
            fields.len() > 2 && !matches!(fields[0], "Z" | "X") && fields[2] == pgid
        })
        .count()
}

#[test]
fn a_reply_comes_back_with_values_and_quality() {
    let root = Dir::new("ok");
    let p = plugin(
        &root.0,
        "echo",
        r#"read line; echo "{\"values\": {\"answer\": 42, \"seen\": $line}, \"quality\": 0.5}""#,
        "reports_quality: true,",
    );
    let reply = run(&p, 10.0).unwrap();
    assert_eq!(reply.values["answer"], json!(42));
    assert_eq!(reply.values["seen"]["file"], json!("/music/a.flac"));
    assert_eq!(reply.quality, Some(0.5));
}

#[test]
fn failures_are_one_clear_error_each() {
    let root = Dir::new("fail");
    let cases = [
        ("badjson", "echo not json", "not the expected JSON"),
        (
            "exit3",
            "echo 'no model file' >&2; exit 3",
            "exited with 3: no model file",
        ),
        (
            "own",
            r#"echo '{"error": "unsupported codec"}'"#,
            "unsupported codec",
        ),
        (
            "huge",
            "head -c 10000000 /dev/zero | tr '\\0' a",
            "larger than 1048576 bytes",
        ),
    ];
    for (name, script, expected) in cases {
        let p = plugin(&root.0, name, script, "");
        let e = run(&p, 20.0).unwrap_err().to_string();
        assert!(e.contains(name) && e.contains(expected), "{name}: {e}");
    }
    let mut missing = plugin(&root.0, "missing", "", "");
    missing.manifest.command = vec!["./no-such-program".into()];
    let e = run(&missing, 5.0).unwrap_err().to_string();
    assert!(
        e.contains("cannot start") && e.contains("no-such-program"),
        "{e}"
    );
}

#[test]
fn a_timeout_or_a_cancel_kills_the_whole_group() {
    let root = Dir::new("timeout");
    let pidfile = root.0.join("pid");
    let script = format!(
        "echo $$ > '{}'; sleep 30 & sleep 30; echo '{{}}'",
        pidfile.display()
    );
    let p = plugin(&root.0, "slow", &script, "");
    let begun = Instant::now();
    let e = run(&p, 0.5).unwrap_err().to_string();
    assert!(e.contains("no reply within 0.5 s"), "{e}");
    assert!(begun.elapsed() < Duration::from_secs(5));
    let pgid = std::fs::read_to_string(&pidfile).unwrap();
    assert_eq!(
        alive_in_group(pgid.trim()),
        0,
        "a process of the plugin survived"
    );

    let begun = Instant::now();
    let cancel = || begun.elapsed() > Duration::from_millis(200);
    let e = run_once(&p, &request(), Duration::from_secs(30), &cancel).unwrap_err();
    assert_eq!(e, PluginError::Cancelled);
    let pgid = std::fs::read_to_string(&pidfile).unwrap();
    assert_eq!(alive_in_group(pgid.trim()), 0);
}

#[test]
fn a_background_child_of_a_finished_plugin_is_killed() {
    let root = Dir::new("stray");
    let pidfile = root.0.join("pid");
    let script = format!(
        "echo $$ > '{}'; (sleep 30 >/dev/null 2>&1 &); echo '{{\"values\": {{}}}}'",
        pidfile.display()
    );
    let p = plugin(&root.0, "stray", &script, "");
    run(&p, 10.0).unwrap();
    let pgid = std::fs::read_to_string(&pidfile).unwrap();
    assert_eq!(alive_in_group(pgid.trim()), 0);
}

/// Live processes whose command line holds `marker`, after up to a second.
fn alive_with(marker: &str) -> usize {
    let count = || {
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
                let state = stat.rsplit_once(')').map_or("", |(_, r)| r).trim_start();
                !state.starts_with(['Z', 'X'])
                    && std::fs::read(e.path().join("cmdline"))
                        .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
            })
            .count()
    };
    let begun = Instant::now();
    loop {
        let n = count();
        if n == 0 || begun.elapsed() > Duration::from_secs(1) {
            return n;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_grandchild_that_left_the_group_with_setsid_is_killed_too() {
    let root = Dir::new("setsid");
    let marker = format!("3{}", fastrand::u32(1000..9999));
    // A double fork into a new session: out of the plugin's group.
    let script = format!(
        "(setsid sh -c 'sleep {marker}' >/dev/null 2>&1 </dev/null &); \
         sleep 0.2; echo '{{\"values\": {{}}}}'"
    );
    let p = plugin(&root.0, "daemon", &script, "");
    run(&p, 10.0).unwrap();
    assert_eq!(alive_with(&format!("sleep {marker}")), 0);
}

#[test]
fn manifests_with_unknown_fields_or_bad_values_are_refused_with_the_file() {
    let path = Path::new("/plugins/x/plugin.ron");
    let e = parse(
        r#"(version: 1, name: "x", kind: Preparation, command: ["sh"], shell: "rm -rf /")"#,
        path,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("/plugins/x/plugin.ron") && e.contains("shell"),
        "{e}"
    );
    assert!(e.contains("1:"), "line:column: {e}");
    let e = parse(
        r#"(version: 2, name: "Bad Name", kind: Preparation, command: [],
            params: [(name: "g", kind: Float(min: 0.0, max: 1.0, default: 3.0))])"#,
        path,
    )
    .unwrap_err()
    .to_string();
    for needle in ["version 2", "Bad Name", "command is empty", "parameter `g`"] {
        assert!(e.contains(needle), "{needle}: {e}");
    }
}

#[test]
fn parameters_are_checked_against_the_manifest_with_defaults() {
    let root = Dir::new("params");
    let p = plugin(&root.0, "params", "", "");
    let resolved = p.resolve_params(&BTreeMap::new()).unwrap();
    assert_eq!(resolved["gain"], json!(1.0));
    assert_eq!(resolved["mode"], json!("fast"));
    let bad = BTreeMap::from([
        ("gain".to_string(), json!(5.0)),
        ("mode".to_string(), json!("medium")),
        ("colour".to_string(), Value::Bool(true)),
    ]);
    let problems: Vec<String> = p
        .resolve_params(&bad)
        .unwrap_err()
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    let problems = problems.join("\n");
    for needle in [
        "5 is outside 0..=2",
        "not one of: fast, slow",
        "no parameter `colour`",
    ] {
        assert!(problems.contains(needle), "{needle}: {problems}");
    }
}

#[test]
fn scanning_finds_plugins_and_keeps_broken_ones_apart() {
    let root = Dir::new("scan");
    plugin(&root.0, "good", "", "");
    let broken = root.0.join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join(MANIFEST_FILE), "(version: 1,").unwrap();
    std::fs::create_dir_all(root.0.join("not-a-plugin")).unwrap();
    let found = Installed::scan(&[root.0.clone(), root.0.join("missing")]);
    assert_eq!(found.plugins.keys().collect::<Vec<_>>(), ["good"]);
    assert_eq!(found.problems.len(), 1);
    assert!(
        found.problems[0].to_string().contains("broken"),
        "{:?}",
        found.problems
    );
}

#[test]
fn editing_a_plugin_changes_its_nodes_cache_keys_only() {
    use crate::pipeline::cache::node_keys_with;
    use crate::pipeline::{Edge, Operation, PipelineDocument, PipelineNode};
    let root = Dir::new("keys");
    plugin(&root.0, "keyed", "echo '{}'", "");
    let node = |id: &str, operation: Operation| PipelineNode {
        id: id.into(),
        name: id.into(),
        kind: operation.info().kind,
        operation,
        refinement: false,
        overrides: Default::default(),
        position: (0.0, 0.0),
    };
    let mut doc = PipelineDocument::default();
    doc.config.progressive_mode = false;
    doc.nodes = vec![
        node("probe", Operation::Probe),
        node(
            "keyed",
            Operation::Plugin {
                name: "keyed".into(),
                params: BTreeMap::new(),
            },
        ),
    ];
    doc.edges.push(Edge::new("probe", "keyed"));
    let keys = || node_keys_with(&doc, &Installed::scan(std::slice::from_ref(&root.0)));
    let before = keys();
    // The manifest's text.
    let manifest = root.0.join("keyed").join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"test\"", "\"edited\"")).unwrap();
    let edited = keys();
    assert_ne!(edited["keyed"], before["keyed"]);
    assert_eq!(edited["probe"], before["probe"], "other nodes keep theirs");
    // The script its command names (`sh run.sh`): a new size.
    std::fs::write(root.0.join("keyed").join("run.sh"), "echo '{ }'").unwrap();
    let rewritten = keys();
    assert_ne!(rewritten["keyed"], edited["keyed"]);
    // Not installed: a key of its own, never an installed plugin's.
    let none = node_keys_with(&doc, &Installed::default());
    assert_ne!(none["keyed"], rewritten["keyed"]);
}
