//! Decode and analysis speed (multiples of real time, CPU time on one
//! core) and peak memory, on 44.1 kHz stereo FLAC and MP3 of generated
//! music-like content; decoding compared with `ffmpeg -f null -`.
//!
//! `cargo bench --bench audio` prints, per file:
//! `audio file=F decode_x_realtime=A analysis_x_realtime=B peak_rss_mb=C`
//! where `analysis_x_realtime` covers the whole `analyze_file` (decoding
//! included) and `peak_rss_mb` is the peak RSS of a child process that
//! analyses only that file. Then the same for 60-minute files, and
//! `audio ffmpeg file=F ffmpeg_decode_x_realtime=X ours_over_ffmpeg_cpu=R`.
//!
//! Next to each analysis line, what a cache of the decode pass's artifacts
//! would cost and save:
//! `audio artifacts file=F bytes=N encode_ms=E decode_ms=D from_cache_ms=C analysis_ms=A`
//! where `bytes` is the size of `Artifacts::to_bytes`, `encode_ms` and
//! `decode_ms` the CPU time of `to_bytes` and `from_bytes`, `from_cache_ms`
//! a rerun from the blob (`from_bytes` then the estimators: tempo, beats,
//! key) and `analysis_ms` decoding again (the whole `analyze_file`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark harness: it prints its figures and fails loudly"
)]

#[path = "../tests/synth/mod.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use wave_studio::audio::decode::AudioStream;
use wave_studio::audio::{AnalysisOptions, Artifacts, analyze_file, decode_pass, estimate};

/// CPU seconds (user + system) of this process so far, from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which is in parentheses).
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// Peak resident set of this process, MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024.0
}

/// Decodes the whole file, returning seconds of audio.
fn decode_only(path: &Path) -> f64 {
    let mut stream = AudioStream::open(path).unwrap();
    let mut checksum = 0.0f32;
    while let Some(block) = stream.next_block().unwrap() {
        checksum += block.mono.first().copied().unwrap_or(0.0);
    }
    std::hint::black_box(checksum);
    stream.stats().frames as f64 / f64::from(stream.info().sample_rate)
}

/// Runs `f` until at least `min_cpu` CPU seconds have passed; returns
/// (audio seconds per run, CPU seconds per run).
fn measure(min_cpu: f64, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let start = cpu_seconds();
    let mut runs = 0;
    let mut audio = 0.0;
    while runs == 0 || cpu_seconds() - start < min_cpu {
        audio = f();
        runs += 1;
    }
    (audio, (cpu_seconds() - start) / runs as f64)
}

/// Prints the `audio artifacts` line for `file`, whose full analysis took
/// `analysis_cpu` seconds.
fn artifacts_line(name: &str, file: &Path, opts: &AnalysisOptions, analysis_cpu: f64) {
    let artifacts = decode_pass(file, opts, &AtomicBool::new(false)).unwrap();
    let bytes = artifacts.to_bytes();
    let (_, encode) = measure(0.5, || {
        std::hint::black_box(std::hint::black_box(&artifacts).to_bytes()).len() as f64
    });
    let (_, decode) = measure(0.5, || {
        let back = Artifacts::from_bytes(std::hint::black_box(&bytes)).unwrap();
        std::hint::black_box(back).facts.duration_s
    });
    let (_, from_cache) = measure(1.0, || {
        let back = Artifacts::from_bytes(std::hint::black_box(&bytes)).unwrap();
        std::hint::black_box(estimate(back, opts, 0.0))
            .facts
            .duration_s
    });
    println!(
        "audio artifacts file={name} bytes={} encode_ms={:.3} decode_ms={:.3} from_cache_ms={:.1} analysis_ms={:.1}",
        bytes.len(),
        encode * 1000.0,
        decode * 1000.0,
        from_cache * 1000.0,
        analysis_cpu * 1000.0
    );
}

/// In the child: analyse one file and print its peak RSS.
fn child(path: &Path) {
    let report = analyze_file(path, &AnalysisOptions::default(), &AtomicBool::new(false)).unwrap();
    std::hint::black_box(&report);
    println!("peak_rss_mb={:.1}", peak_rss_mb());
}

fn child_peak_rss(path: &Path) -> f64 {
    let out = Command::new(std::env::current_exe().unwrap())
        .env("WAVE_BENCH_CHILD", path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .strip_prefix("peak_rss_mb=")
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// ffmpeg's CPU seconds to decode `path` to nothing, single-threaded.
fn ffmpeg_cpu(path: &Path) -> Option<f64> {
    let out = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-nostats",
            "-benchmark",
            "-threads",
            "1",
            "-i",
        ])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().find(|l| l.contains("bench: utime="))?;
    let num = |key: &str| -> Option<f64> {
        let at = line.find(key)? + key.len();
        line[at..].split('s').next()?.parse().ok()
    };
    Some(num("utime=")? + num("stime=")?)
}

fn make_files(dir: &Path, seconds: f32) -> Vec<PathBuf> {
    let wav = dir.join(format!("music_{seconds}s.wav"));
    synth::write_wav(
        &wav,
        &synth::music(seconds, 44_100, 126.0, 2, false, 77),
        2,
        44_100,
    );
    let w = wav.to_str().unwrap();
    let flac = dir.join(format!("music_{seconds}s.flac"));
    let mp3 = dir.join(format!("music_{seconds}s.mp3"));
    synth::ffmpeg(&["-i", w, flac.to_str().unwrap()]);
    synth::ffmpeg(&["-i", w, "-b:a", "192k", mp3.to_str().unwrap()]);
    vec![flac, mp3]
}

/// A 60-minute file made by looping a shorter one (no 600 MB WAV on disk).
fn make_long(dir: &Path, short: &Path, ext: &str) -> PathBuf {
    let out = dir.join(format!("music_60min.{ext}"));
    let s = short.to_str().unwrap();
    let mut args = vec!["-stream_loop", "-1", "-i", s, "-t", "3600"];
    if ext == "mp3" {
        args.extend_from_slice(&["-b:a", "192k"]);
    }
    args.push(out.to_str().unwrap());
    synth::ffmpeg(&args);
    out
}

fn main() {
    if let Some(path) = std::env::var_os("WAVE_BENCH_CHILD") {
        child(Path::new(&path));
        return;
    }
    // `cargo bench` passes `--bench`; any other argument is a filter we ignore.
    let dir = synth::temp_dir("bench-audio");
    let files = make_files(&dir, 120.0);
    let opts = AnalysisOptions::default();
    let cancel = AtomicBool::new(false);
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (audio, dec_cpu) = measure(2.0, || decode_only(file));
        let (_, full_cpu) = measure(2.0, || {
            let r = analyze_file(file, &opts, &cancel).unwrap();
            r.facts.duration_s
        });
        let rss = child_peak_rss(file);
        println!(
            "audio file={name} decode_x_realtime={:.0} analysis_x_realtime={:.0} peak_rss_mb={rss:.1}",
            audio / dec_cpu,
            audio / full_cpu
        );
        artifacts_line(&name, file, &opts, full_cpu);
        if let Some(ff) = ffmpeg_cpu(file) {
            println!(
                "audio ffmpeg file={name} ffmpeg_decode_x_realtime={:.0} ours_over_ffmpeg_cpu={:.2}",
                audio / ff,
                dec_cpu / ff
            );
        }
    }
    for (short, ext) in files.iter().zip(["flac", "mp3"]) {
        let long = make_long(&dir, short, ext);
        let name = long.file_name().unwrap().to_string_lossy().into_owned();
        let (audio, dec_cpu) = measure(0.0, || decode_only(&long));
        let (_, full_cpu) = measure(0.0, || {
            analyze_file(&long, &opts, &cancel)
                .unwrap()
                .facts
                .duration_s
        });
        let rss = child_peak_rss(&long);
        println!(
            "audio file={name} decode_x_realtime={:.0} analysis_x_realtime={:.0} peak_rss_mb={rss:.1}",
            audio / dec_cpu,
            audio / full_cpu
        );
        artifacts_line(&name, &long, &opts, full_cpu);
        if let Some(ff) = ffmpeg_cpu(&long) {
            println!(
                "audio ffmpeg file={name} ffmpeg_decode_x_realtime={:.0} ours_over_ffmpeg_cpu={:.2}",
                audio / ff,
                dec_cpu / ff
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
