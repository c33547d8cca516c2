//! Long RF64 and Wave64 files decode streaming: memory stays flat while a
//! file several times larger than the bound is read, block by block.
//! (One test in its own binary, so the process's memory is this test's.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod tools;

use tools::{TempDir, run};
use wave_studio::audio::decode::AudioStream;

/// Resident memory of this process, in bytes (Linux).
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

#[test]
fn long_rf64_and_wave64_files_decode_in_bounded_memory() {
    const MINUTES: u64 = 10;
    const BOUND: u64 = 48 << 20;
    let dir = TempDir::new("streaming");
    for (name, args) in [
        ("long.rf64.wav", &["-rf64", "always"][..]),
        ("long.w64", &["-f", "w64"][..]),
    ] {
        let out = dir.join(name);
        let lavfi = format!(
            "sine=frequency=441:sample_rate=48000:duration={}",
            MINUTES * 60
        );
        let mut all = vec!["-v", "error", "-y", "-f", "lavfi", "-i", &lavfi, "-ac", "2"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-c:a", "pcm_s16le", out.to_str().unwrap()]);
        run("ffmpeg", &all);
        let size = std::fs::metadata(&out).unwrap().len();
        assert!(size > 2 * BOUND, "{name}: {size} bytes");
        let before = rss_bytes();
        let mut stream = AudioStream::open(&out).unwrap();
        let (mut peak, mut largest, mut blocks) = (before, 0, 0u64);
        while let Some(block) = stream.next_block().unwrap() {
            largest = largest.max(block.mono.len());
            blocks += 1;
            if blocks % 512 == 0 {
                peak = peak.max(rss_bytes());
            }
        }
        assert_eq!(stream.stats().frames, MINUTES * 60 * 48_000, "{name}");
        assert!(
            stream.stats().partial.is_none(),
            "{name}: {:?}",
            stream.stats()
        );
        assert!(largest <= 1152, "{name}: a block of {largest} frames");
        let grew = peak.saturating_sub(before);
        assert!(
            grew < BOUND,
            "{name}: memory grew by {} MB reading {} MB",
            grew >> 20,
            size >> 20
        );
        eprintln!(
            "{name}: {} MB read, memory grew by {} KB",
            size >> 20,
            grew >> 10
        );
    }
}
