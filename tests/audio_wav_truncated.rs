//! Truncated and damaged files of every format our own readers handle
//! (RF64, BW64, Wave64, extensible WAV, valid bits, G.711 without cbSize,
//! FLAC with CUESHEET and APPLICATION blocks): cut at many points or with
//! absurd sizes, each gives partial results flagged as such, or a clear
//! error naming the file, and never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod tools;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use tools::{TempDir, python_script, run};
use wave_studio::audio::decode::AudioStream;

/// Frames decoded and why the result is partial; or the error's text.
fn decode_all(path: &Path) -> Result<(u64, Option<String>), String> {
    let mut stream = AudioStream::open(path).map_err(|e| e.to_string())?;
    while stream.next_block().map_err(|e| e.to_string())?.is_some() {}
    Ok((stream.stats().frames, stream.stats().damage()))
}

/// One file of each kind, made by the tools that write them.
fn make_files(dir: &TempDir) -> Vec<PathBuf> {
    let src = tools::source(dir.path(), 2.0);
    let s = src.to_str().unwrap();
    let ff = |name: &str, args: &[&str]| {
        let out = dir.join(name);
        let mut all = vec!["-v", "error", "-y", "-i", s];
        all.extend_from_slice(args);
        all.push(out.to_str().unwrap());
        run("ffmpeg", &all);
        out
    };
    let mut files = vec![
        ff("ff.rf64.wav", &["-rf64", "always", "-c:a", "pcm_s24le"]),
        ff("ff.w64", &["-f", "w64", "-c:a", "pcm_s16le"]),
        ff(
            "ff_ext.wav",
            &["-c:a", "pcm_s24le", "-metadata", "title=x", "-ac", "4"],
        ),
        ff("ff_mulaw.wav", &["-c:a", "pcm_mulaw"]),
    ];
    let sox = dir.join("sox.w64");
    run("sox", &[s, "-b", "24", sox.to_str().unwrap()]);
    files.push(sox);
    const EAR: &str = "import sys, soundfile as sf\n\
        from ear.fileio.bw64.writer import Bw64Writer\n\
        from ear.fileio.bw64.chunks import FormatInfoChunk\n\
        d, r = sf.read(sys.argv[1], dtype='float64', always_2d=True)\n\
        with open(sys.argv[2], 'wb') as f:\n\
        \x20   w = Bw64Writer(f, formatInfo=FormatInfoChunk(channelCount=2, sampleRate=r, bitsPerSample=24), forceBw64=True)\n\
        \x20   w.write(d)\n\
        \x20   w.close()";
    let bw64 = dir.join("ear.bw64.wav");
    python_script(EAR, &[s, bw64.to_str().unwrap()]);
    files.push(bw64);
    let raw = ff("in.raw", &["-f", "s24le"]);
    let wv = dir.join("v20.wv");
    run(
        "wavpack",
        &[
            "-q",
            "-y",
            "--raw-pcm=44100,20s,2,le",
            "--pre-quantize=20",
            raw.to_str().unwrap(),
            "-o",
            wv.to_str().unwrap(),
        ],
    );
    let v20 = dir.join("v20.wav");
    run(
        "wvunpack",
        &[
            "-q",
            "-y",
            wv.to_str().unwrap(),
            "-o",
            v20.to_str().unwrap(),
        ],
    );
    files.push(v20);
    let cd = ff("cd.wav", &["-c:a", "pcm_s16le", "-metadata", "title=x"]);
    let cue = dir.join("cd.cue");
    std::fs::write(
        &cue,
        "FILE \"cd.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let cued = dir.join("cue.flac");
    let sheet = format!("--cuesheet={}", cue.display());
    run(
        "flac",
        &[
            "-s",
            "-f",
            &sheet,
            cd.to_str().unwrap(),
            "-o",
            cued.to_str().unwrap(),
        ],
    );
    files.push(cued);
    let kept = dir.join("app.flac");
    run(
        "flac",
        &[
            "-s",
            "-f",
            "--keep-foreign-metadata",
            cd.to_str().unwrap(),
            "-o",
            kept.to_str().unwrap(),
        ],
    );
    files.push(kept);
    files
}

/// Cut points: every byte of the headers, then a spread through the data.
fn cuts(len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = (1..160.min(len)).collect();
    cuts.extend([200, 300, 500, 1000, 4096, len / 3, len / 2, len - 1]);
    cuts.retain(|&c| c < len);
    cuts
}

/// Decodes `path`, which must not panic: an error must name the file, and
/// (with `flagged`) a result short of `full` frames by more than 0.1 s
/// must say it is partial.
fn check(path: &Path, full: u64, flagged: bool, what: &str) -> Result<u64, String> {
    let name = path.file_name().unwrap().to_str().unwrap();
    let result = catch_unwind(AssertUnwindSafe(|| decode_all(path)))
        .unwrap_or_else(|_| panic!("{what}: decoding {name} panicked"));
    match &result {
        Err(message) => assert!(
            message.contains(name),
            "{what}: error without the file name: {message}"
        ),
        Ok((frames, damage)) => assert!(
            !flagged || frames + 4410 >= full || damage.is_some(),
            "{what}: {frames} of {full} frames, not flagged partial"
        ),
    }
    result.map(|(frames, _)| frames)
}

#[test]
fn truncated_files_give_partial_results_or_clear_errors_never_a_panic() {
    let dir = TempDir::new("truncated");
    for file in make_files(&dir) {
        let bytes = std::fs::read(&file).unwrap();
        let (full, damage) = decode_all(&file).unwrap();
        assert!(
            full >= 88_200 && damage.is_none(),
            "{}: {full} {damage:?}",
            file.display()
        );
        let ext = file.extension().unwrap().to_str().unwrap();
        let cut_path = dir.join(&format!("cut.{ext}"));
        for cut in cuts(bytes.len()) {
            std::fs::write(&cut_path, &bytes[..cut]).unwrap();
            let what = format!("{} cut at {cut} of {}", file.display(), bytes.len());
            let frames = check(&cut_path, full, true, &what);
            if cut >= bytes.len() / 3 {
                // Well into the audio: what is there decodes.
                assert!(frames.as_ref().is_ok_and(|&f| f > 0), "{what}: {frames:?}");
            }
        }
    }
}

/// Offsets of the size fields of the chunks of a WAV-family file (RIFF:
/// the 4 bytes after each id; W64: the 8 bytes after each GUID) and of
/// the ds64 fields, found by walking it.
fn size_fields(b: &[u8]) -> Vec<(usize, usize)> {
    let w64 = b.starts_with(b"riff");
    let (mut at, head, width) = if w64 { (40, 16, 8) } else { (12, 4, 4) };
    let mut fields = vec![(if w64 { 16 } else { 4 }, width)];
    while at + head + width <= b.len() {
        let size = if w64 {
            u64::from_le_bytes(b[at + 16..at + 24].try_into().unwrap()).saturating_sub(24)
        } else {
            u64::from(u32::from_le_bytes(b[at + 4..at + 8].try_into().unwrap()))
        };
        fields.push((at + head, width));
        if &b[at..at + 4] == b"ds64" {
            fields.extend([(at + 8, 8), (at + 16, 8), (at + 24, 8), (at + 32, 4)]);
        }
        let body = at + head + width;
        let align = if w64 { 8 } else { 2 };
        let Some(next) = usize::try_from(size)
            .ok()
            .and_then(|s| body.checked_add(s.next_multiple_of(align)))
        else {
            break;
        };
        at = next;
    }
    fields
}

#[test]
fn absurd_chunk_sizes_give_partial_results_or_clear_errors_never_a_panic() {
    let dir = TempDir::new("absurd");
    let files: Vec<PathBuf> = make_files(&dir)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e != "flac"))
        .collect();
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let (full, _) = decode_all(&file).unwrap();
        let fields = size_fields(&bytes);
        assert!(fields.len() >= 3, "{}: {fields:?}", file.display());
        let ext = file.extension().unwrap().to_str().unwrap();
        let bad = dir.join(&format!("bad.{ext}"));
        for &(at, width) in &fields {
            for value in [0u64, 1, 7, 23, 24, 0x7FFF_FFFF, 0xFFFF_FFFF, u64::MAX] {
                let mut b = bytes.clone();
                b[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
                std::fs::write(&bad, &b).unwrap();
                let what = format!("{} with {value:#x} at byte {at}", file.display());
                // A size may shrink the audio honestly (data size 0): only
                // panics and errors without the file's name are failures.
                let _ = check(&bad, full, false, &what);
            }
        }
    }
}
