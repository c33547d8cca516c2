//! The plugin protocol's failures, each one clear error naming the plugin
//! and the cause, with no process of the plugin left behind: per-file and
//! long-lived mode, and through a pipeline (retries, values in results).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Map;
use wave_studio::pipeline::parse_with;
use wave_studio::pipeline::plugin::{
    Installed, MANIFEST_FILE, Persistent, Plugin, PluginError, Request, run_once,
};
use wave_studio::run::PipelineRunner;

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "ws-protocol-{tag}-{}-{}",
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

/// A plugin whose `run.sh` first writes its process group to `pgid` and
/// starts a background sleeper in it, then runs `body`.
fn plugin(root: &Path, name: &str, mode: &str, body: &str) -> Plugin {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let script = format!("echo $$ > pgid\nsleep 60 >/dev/null 2>&1 &\n{body}\n");
    std::fs::write(dir.join("run.sh"), script).unwrap();
    std::fs::write(
        dir.join(MANIFEST_FILE),
        format!(
            r#"(version: 1, name: "{name}", kind: FeatureExtraction, command: ["sh", "run.sh"],
                mode: {mode}, outputs: [(name: "answer")], reports_quality: true, timeout_s: 10.0)"#
        ),
    )
    .unwrap();
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

/// Live processes in the plugin's process group, after up to a second for
/// a kill already sent to land.
fn left_behind(p: &Plugin) -> usize {
    let pgid = std::fs::read_to_string(p.dir.join("pgid")).unwrap();
    let pgid = pgid.trim();
    let begun = Instant::now();
    loop {
        let n = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
            .filter(|stat| {
                let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
                let f: Vec<&str> = rest.split_whitespace().collect();
                f.len() > 2 && !matches!(f[0], "Z" | "X") && f[2] == pgid
            })
            .count();
        if n == 0 || begun.elapsed() > Duration::from_secs(1) {
            return n;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Each failure: (name, script body, what the error must say).
const CASES: [(&str, &str, &str); 4] = [
    (
        "badjson",
        "read line; echo 'this is not json'",
        "not the expected JSON",
    ),
    (
        "exit3",
        "read line; echo 'model file missing' >&2; exit 3",
        "exited with 3",
    ),
    ("slow", "read line; sleep 30", "no reply within 0.5 s"),
    (
        "huge",
        "read line; head -c 10000000 /dev/zero | tr '\\0' a",
        "larger than 1048576 bytes",
    ),
];

#[test]
fn per_file_failures_are_clear_and_leave_no_process() {
    let root = Dir::new("perfile");
    for (name, body, says) in CASES {
        let p = plugin(&root.0, name, "PerFile", body);
        let begun = Instant::now();
        let e = run_once(&p, &request(), Duration::from_millis(500), &|| false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("plugin `{name}`")) && e.contains(says),
            "{name}: {e}"
        );
        assert!(
            begun.elapsed() < Duration::from_secs(5),
            "{name} took {:?}",
            begun.elapsed()
        );
        assert_eq!(left_behind(&p), 0, "{name}: a process survived");
    }
    let stderr = plugin(&root.0, "exit3b", "PerFile", CASES[1].1);
    let e = run_once(&stderr, &request(), Duration::from_secs(5), &|| false).unwrap_err();
    assert!(
        e.to_string().contains("model file missing"),
        "stderr kept: {e}"
    );
}

#[test]
fn a_missing_executable_or_an_unknown_manifest_field_is_named() {
    let root = Dir::new("missing");
    let dir = root.0.join("ghost");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(MANIFEST_FILE),
        r#"(version: 1, name: "ghost", kind: Preparation, command: ["./ghost-bin"])"#,
    )
    .unwrap();
    let ghost = Plugin::load(&dir).unwrap();
    let e = run_once(&ghost, &request(), Duration::from_secs(5), &|| false).unwrap_err();
    let e = e.to_string();
    assert!(
        e.contains("plugin `ghost`") && e.contains("cannot start") && e.contains("ghost-bin"),
        "{e}"
    );
    let server = Persistent::new(ghost);
    let e = server
        .request(&request(), Duration::from_secs(5), &|| false)
        .unwrap_err();
    assert!(e.to_string().contains("cannot start"), "{e}");

    std::fs::write(
        dir.join(MANIFEST_FILE),
        "(version: 1, name: \"ghost\", kind: Preparation,\n command: [\"./x\"], run_as: \"root\")",
    )
    .unwrap();
    let e = Plugin::load(&dir).unwrap_err().to_string();
    assert!(
        e.contains("ghost/plugin.ron") && e.contains("run_as") && e.contains("2:"),
        "{e}"
    );
}

#[test]
fn long_lived_failures_are_clear_kill_the_group_and_restart() {
    let root = Dir::new("persistent");
    for (name, body, says) in CASES {
        let p = plugin(&root.0, name, "Persistent", body);
        let server = Persistent::new(p.clone());
        let e = server
            .request(&request(), Duration::from_millis(500), &|| false)
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("plugin `{name}`")), "{name}: {e}");
        if name == "badjson" {
            // The process is fine, only its line was not JSON: it stays.
            assert!(e.contains(says), "{name}: {e}");
            drop(server);
        } else if name == "exit3" {
            assert!(
                e.contains("exited with 3") && e.contains("model file missing"),
                "{e}"
            );
        } else {
            assert!(e.contains(says), "{name}: {e}");
        }
        assert_eq!(left_behind(&p), 0, "{name}: a process survived");
    }
    // One process serves many requests; a crash is one request's error and
    // the next request starts a new process.
    let counter = plugin(
        &root.0,
        "counter",
        "Persistent",
        r#"n=0
while read line; do
  n=$((n+1))
  if [ "$line" = "" ]; then continue; fi
  if [ $n -eq 3 ]; then exit 7; fi
  echo "{\"values\": {\"answer\": $n, \"pid\": $$}}"
done"#,
    );
    let server = Persistent::new(counter.clone());
    let ask = || server.request(&request(), Duration::from_secs(5), &|| false);
    let (a, b) = (ask().unwrap(), ask().unwrap());
    assert_eq!(
        (a.values["answer"].as_i64(), b.values["answer"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(a.values["pid"], b.values["pid"], "one process for both");
    let e = ask().unwrap_err().to_string();
    assert!(e.contains("exited with 7"), "{e}");
    let c = ask().unwrap();
    assert_eq!(c.values["answer"].as_i64(), Some(1), "a fresh process");
    assert_ne!(c.values["pid"], a.values["pid"]);
    assert!(server.is_running());
    drop(server);
    assert_eq!(left_behind(&counter), 0, "dropping the plugin stops it");
}

#[test]
fn a_cancel_while_waiting_kills_the_long_lived_process() {
    let root = Dir::new("cancel");
    let p = plugin(&root.0, "stuck", "Persistent", "read line; sleep 60");
    let server = Persistent::new(p.clone());
    let begun = Instant::now();
    let cancel = || begun.elapsed() > Duration::from_millis(200);
    let e = server
        .request(&request(), Duration::from_secs(30), &cancel)
        .unwrap_err();
    assert_eq!(e, PluginError::Cancelled);
    assert!(begun.elapsed() < Duration::from_secs(3));
    assert_eq!(left_behind(&p), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipeline_retries_a_failing_plugin_and_puts_its_values_in_the_results() {
    let root = Dir::new("pipeline");
    // Fails its first request for each file (a marker file), then answers.
    plugin(
        &root.0,
        "flaky",
        "PerFile",
        r#"read line
if [ ! -e seen ]; then touch seen; echo 'warming up' >&2; exit 2; fi
echo '{"values": {"answer": 42, "word": "forty-two"}, "quality": 0.75}'"#,
    );
    let wav = root.0.join("a.wav");
    std::fs::write(&wav, b"not really audio: the plugin does not read it").unwrap();
    let installed = Arc::new(Installed::scan(std::slice::from_ref(&root.0)));
    let text = r#"(version: 1, name: "flaky", config: (retry_backoff_base_ms: 10, inter_stage_delay_ms: 0),
        nodes: [(id: "f", name: "F", kind: FeatureExtraction, operation: Plugin(name: "flaky"))])"#;
    let doc = parse_with(text, Path::new("flaky.ron"), &installed).unwrap();
    let handle = tokio::runtime::Handle::current();
    let runner = PipelineRunner::with_plugins(&doc, None, handle, None, installed).unwrap();
    assert_eq!(runner.extra_columns(), ["answer"]);
    let mut run = runner.start(vec![wav], 1);
    let result = run.results.recv().await.unwrap();
    run.done.await.unwrap();
    assert!(result.ok, "{:?}", result.error);
    assert_eq!(result.value("answer"), &serde_json::json!(42));
    assert_eq!(result.value("word"), &serde_json::json!("forty-two"));
    assert_eq!(result.quality, Some(0.75));
    let stats = runner.orchestrator().statistics();
    let f = stats.stage("f").unwrap();
    assert_eq!((f.attempts, f.retries), (2, 1), "{f:?}");
}
