//! Audio tools nobody in this project wrote (ffmpeg, sox, flac, metaflac,
//! wavpack, Python's soundfile and EBU's `ear`), used to make test files
//! and to decode them as a reference. Each fails loudly, naming how to
//! install it, when it is missing: these tests must never pass silently.
#![allow(dead_code, reason = "shared by several test crates, each using a part")]

use std::path::{Path, PathBuf};
use std::process::Command;

use wave_studio::audio::decode::{AudioStream, StreamInfo};

/// Runs `tool` with `args`; panics naming the package when it is missing
/// and with its stderr when it fails.
pub fn run(tool: &str, args: &[&str]) {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} is required for these tests ({}): {e}",
            install_hint(tool)
        )
    });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn install_hint(tool: &str) -> &'static str {
    match tool {
        "ffmpeg" | "ffprobe" => "apt-get install ffmpeg",
        "sox" => "apt-get install sox",
        "flac" | "metaflac" => "apt-get install flac",
        "wavpack" | "wvunpack" => "apt-get install wavpack",
        _ => "see .ci/run",
    }
}

/// The Python with soundfile, numpy and ear: `WAVE_TEST_PYTHON` (set by
/// .ci/run to its venv), else `python3`. Panics when they cannot be imported.
pub fn python() -> String {
    let python = std::env::var("WAVE_TEST_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = Command::new(&python)
        .args(["-c", "import soundfile, numpy, ear.fileio.bw64"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{python} cannot import soundfile, numpy and ear: run .ci/run, or make a venv \
         (python3 -m venv V && V/bin/pip install soundfile numpy ear) and set WAVE_TEST_PYTHON=V/bin/python"
    );
    python
}

/// Runs a Python script (with `python()`); `args` become `sys.argv[1:]`.
pub fn python_script(script: &str, args: &[&str]) {
    let python = python();
    let mut all = vec!["-W", "ignore", "-c", script];
    all.extend_from_slice(args);
    run(&python, &all);
}

/// A stereo test source as 32-bit float WAV, made by ffmpeg: two tones a
/// little apart and some noise, so every bit of a 24-bit sample matters.
pub fn source(dir: &Path, seconds: f64) -> PathBuf {
    let path = dir.join("source.wav");
    let expr = "0.45*sin(2*PI*440*t)+0.2*sin(2*PI*1234.5*t)+0.05*random(0)|\
                0.3*sin(2*PI*660*t)-0.25*sin(2*PI*97*t)+0.05*random(1)";
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            &format!("aevalsrc={expr}:s=44100:d={seconds}"),
            "-c:a",
            "pcm_f32le",
            path.to_str().unwrap(),
        ],
    );
    path
}

/// ffmpeg's decode of `path`: interleaved f32 samples, and the channels.
pub fn ffmpeg_decode(path: &Path) -> (Vec<f32>, usize) {
    let p = path.to_str().unwrap();
    let out = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-i",
            p,
            "-f",
            "f32le",
            "-c:a",
            "pcm_f32le",
            "-",
        ])
        .output()
        .expect("ffmpeg is required for these tests (apt-get install ffmpeg)");
    assert!(
        out.status.success(),
        "ffmpeg cannot decode {p}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let samples = out
        .stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_entries",
            "stream=channels",
        ])
        .args(["-of", "csv=p=0", p])
        .output()
        .expect("ffprobe is required for these tests (apt-get install ffmpeg)");
    let channels = String::from_utf8_lossy(&probe.stdout)
        .trim()
        .parse()
        .unwrap();
    (samples, channels)
}

/// Our decode of `path`: its facts, the samples, and the largest block.
pub fn our_decode(path: &Path) -> (StreamInfo, Vec<f32>, usize) {
    let mut stream = AudioStream::open(path).unwrap_or_else(|e| panic!("{e}"));
    let (mut samples, mut largest) = (Vec::new(), 0);
    while let Some(block) = stream.next_block().unwrap_or_else(|e| panic!("{e}")) {
        samples.extend_from_slice(block.interleaved);
        largest = largest.max(block.mono.len());
    }
    assert!(
        stream.stats().partial.is_none(),
        "{}: {:?}",
        path.display(),
        stream.stats()
    );
    (stream.info().clone(), samples, largest)
}

/// Decodes `path` with us and with ffmpeg and asserts the same channels and
/// the same samples within `tolerance`; returns our stream facts.
pub fn assert_decodes_as_ffmpeg(path: &Path, tolerance: f32) -> StreamInfo {
    let (info, ours, _) = our_decode(path);
    let (theirs, channels) = ffmpeg_decode(path);
    let name = path.display();
    assert_eq!(info.channels, channels, "{name}: channels");
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{name}: sample count (ours, ffmpeg's)"
    );
    assert!(!ours.is_empty(), "{name}: no samples");
    let worst = ours
        .iter()
        .zip(&theirs)
        .enumerate()
        .map(|(i, (a, b))| (i, (a - b).abs()))
        .fold((0, 0.0f32), |w, x| if x.1 > w.1 { x } else { w });
    assert!(
        worst.1 <= tolerance,
        "{name}: sample {} differs by {} (ours {}, ffmpeg {})",
        worst.0,
        worst.1,
        ours[worst.0],
        theirs[worst.0]
    );
    // Silence would agree trivially: the source is loud.
    let peak = ours.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(peak > 0.1, "{name}: peak {peak}");
    info
}

/// A temporary folder removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder under the system's temporary folder.
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "wave-{tag}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside the folder.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The Python with the checkers nobody here wrote: the `jams` package (its
/// own schema) and `mir_eval` (the standard beat F-measure).
/// `WAVE_TEST_CHECKERS` (set by .ci/run to its venv), else `python3`.
/// Panics, saying how to get them, when they cannot be imported.
pub fn checkers() -> String {
    let python = std::env::var("WAVE_TEST_CHECKERS").unwrap_or_else(|_| "python3".to_string());
    let ok = Command::new(&python)
        .args(["-W", "ignore", "-c", "import jams, mir_eval"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{python} cannot import jams and mir_eval: run .ci/run, or make a venv \
         (python3 -m venv V && V/bin/pip install jams mir_eval) and set WAVE_TEST_CHECKERS=V/bin/python"
    );
    python
}

/// Runs a checker script (with `checkers()`); returns its stdout.
pub fn checker_script(script: &str, args: &[&str]) -> String {
    let python = checkers();
    let mut all = vec!["-W", "ignore", "-c", script];
    all.extend_from_slice(args);
    let out = Command::new(&python).args(&all).output().unwrap();
    assert!(
        out.status.success(),
        "checker failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
