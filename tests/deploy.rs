//! `deploy/`: the Kubernetes manifests parse as YAML and are the Jobs the
//! README describes, every flag they and the Slurm scripts pass exists in
//! the binary, and the container file builds that binary headless.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml_ng::Value;

fn deploy(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(deploy(name)).unwrap()
}

fn yaml(name: &str) -> Value {
    serde_yaml_ng::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `wave-studio SUBCOMMAND --help`.
fn help(subcommand: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .args([subcommand, "--help"])
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert!(o.status.success(), "{subcommand} --help");
    String::from_utf8(o.stdout).unwrap()
}

/// Every `--flag` among `words` after the binary's name and subcommand
/// exists in that subcommand's help; returns the subcommand.
fn check_flags(words: &[String], origin: &str) -> String {
    let at = words
        .iter()
        .position(|w| w.ends_with("wave-studio") || w == "$WAVE_STUDIO")
        .map_or(0, |i| i + 1);
    let subcommand = words[at].clone();
    let help = help(&subcommand);
    let flags: Vec<&String> = words[at..].iter().filter(|w| w.starts_with("--")).collect();
    assert!(!flags.is_empty(), "{origin}: no flags in {words:?}");
    for flag in flags {
        let name = flag.split('=').next().unwrap();
        assert!(
            help.contains(&format!("{name} ")) || help.contains(&format!("{name}\n")),
            "{origin}: `{subcommand} {name}` is not a flag of the binary"
        );
    }
    subcommand
}

fn pod(job: &Value) -> &Value {
    &job["spec"]["template"]["spec"]
}

/// The container's command line as words (`sh -c` text split).
fn words(container: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["command", "args"] {
        for v in container[key].as_sequence().into_iter().flatten() {
            let s = v.as_str().unwrap();
            out.extend(s.split_whitespace().map(String::from));
        }
    }
    out
}

#[test]
fn the_indexed_job_runs_the_shards_with_the_binarys_real_flags() {
    let job = yaml("kubernetes/shards-job.yaml");
    assert_eq!(job["kind"].as_str(), Some("Job"));
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    assert!(spec["backoffLimitPerIndex"].as_u64().is_some());
    assert_eq!(pod(&job)["restartPolicy"].as_str(), Some("Never"));
    let container = &pod(&job)["containers"][0];
    let words = words(container);
    assert_eq!(check_flags(&words, "shards-job.yaml"), "run");
    // `--shards` must equal the Job's completions.
    let shards = words.iter().position(|w| w == "--shards").unwrap();
    assert_eq!(
        words[shards + 1].parse::<u64>().unwrap(),
        spec["completions"].as_u64().unwrap()
    );
    assert!(words.iter().any(|w| w.contains("{shard}")), "{words:?}");
    let requests = &container["resources"]["requests"];
    assert!(requests["cpu"].as_str().is_some() && requests["memory"].as_str().is_some());
    // `--jobs` matches the cores requested.
    let jobs = words.iter().position(|w| w == "--jobs").unwrap();
    assert_eq!(words[jobs + 1], requests["cpu"].as_str().unwrap());
    // SIGTERM's grace period is stated and leaves time to stop cleanly.
    let grace = pod(&job)["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(grace >= 10, "grace period {grace} s");
    let claim = &pod(&job)["volumes"][0]["persistentVolumeClaim"]["claimName"];
    let volume = yaml("kubernetes/volume.yaml");
    assert_eq!(claim, &volume["metadata"]["name"]);
    assert_eq!(
        volume["spec"]["accessModes"][0].as_str(),
        Some("ReadWriteMany")
    );
}

#[test]
fn the_merge_job_merges_the_shards_with_the_binarys_real_flags() {
    let job = yaml("kubernetes/merge-job.yaml");
    assert_eq!(job["kind"].as_str(), Some("Job"));
    let words = words(&pod(&job)["containers"][0]);
    assert_eq!(check_flags(&words, "merge-job.yaml"), "merge");
    assert!(
        words.iter().any(|w| w.ends_with("shard-*.sqlite")),
        "{words:?}"
    );
}

/// The `srun` command of a Slurm script as words (continuation lines
/// joined, quotes dropped).
fn srun_words(script: &str) -> Vec<String> {
    let joined = script.replace("\\\n", " ");
    let line = joined
        .lines()
        .find(|l| l.trim_start().starts_with("srun "))
        .expect("an srun line");
    line.split_whitespace()
        .map(|w| w.trim_matches('"').to_string())
        .collect()
}

#[test]
fn the_slurm_scripts_use_the_binarys_real_flags_and_chain_the_merge() {
    let shards = read("slurm/shards.sbatch");
    assert!(shards.contains("#SBATCH --array="), "an array job");
    assert!(
        shards.contains("#SBATCH --signal=TERM@"),
        "a clean stop before the limit"
    );
    assert_eq!(check_flags(&srun_words(&shards), "shards.sbatch"), "run");
    let merge = read("slurm/merge.sbatch");
    assert_eq!(check_flags(&srun_words(&merge), "merge.sbatch"), "merge");
    let submit = read("slurm/submit.sh");
    assert!(
        submit.contains("--dependency=\"afterany:${array}\""),
        "{submit}"
    );
    for script in [
        "slurm/shards.sbatch",
        "slurm/merge.sbatch",
        "slurm/submit.sh",
    ] {
        let o = Command::new("bash")
            .arg("-n")
            .arg(deploy(script))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn the_container_builds_the_headless_binary_the_tests_run() {
    let dockerfile = read("Dockerfile");
    let build = dockerfile
        .lines()
        .find(|l| l.starts_with("RUN cargo build"))
        .expect("a cargo build step");
    for part in [
        "--release",
        "--locked",
        "--no-default-features",
        "--bin wave-studio",
    ] {
        assert!(build.contains(part), "{build}");
    }
    // The features it names exist, and none of them is the GUI.
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let features = build
        .split("--features ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    for f in features.split(',') {
        assert!(manifest.contains(&format!("\n{f} = [")), "feature {f}");
        assert_ne!(f, "gui");
    }
    assert!(dockerfile.contains("FROM debian:bookworm-slim"));
    assert!(dockerfile.contains("libopus0"));
    assert!(dockerfile.contains("/target/release/wave-studio /usr/local/bin/wave-studio"));
    // The binary the tests run is this package's `wave-studio`.
    assert!(env!("CARGO_BIN_EXE_wave-studio").ends_with("wave-studio"));
    // A client without its daemon (docker's CLI alone) cannot build.
    let engine = ["docker", "podman"].into_iter().find(|e| {
        Command::new(e)
            .arg("info")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    match (engine, std::env::var_os("WAVE_STUDIO_TEST_IMAGE")) {
        (Some(engine), Some(_)) => {
            let root = env!("CARGO_MANIFEST_DIR");
            let o = Command::new(engine)
                .args([
                    "build",
                    "-f",
                    "deploy/Dockerfile",
                    "-t",
                    "wave-studio:test",
                    ".",
                ])
                .current_dir(root)
                .status()
                .unwrap();
            assert!(o.success(), "{engine} build failed");
            let o = Command::new(engine)
                .args(["run", "--rm", "wave-studio:test", "run", "--help"])
                .output()
                .unwrap();
            assert!(String::from_utf8_lossy(&o.stdout).contains("--shard"));
        }
        (Some(engine), None) => say(&format!(
            "skipped: the container image build ({engine} is running; set WAVE_STUDIO_TEST_IMAGE=1 \
             to build it, a release build of several minutes); checked the Dockerfile's build \
             command only"
        )),
        (None, _) => say(
            "skipped: the container image build (no docker or podman engine answers on this \
             machine, as on CI); checked the Dockerfile's build command only",
        ),
    }
}

/// A line on stderr past the test harness's capture, so a skip shows in
/// every run's output.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "deploy: {line}");
}
