//! WAV files that every other tool reads: RF64, BW64, Sony Wave64,
//! WAVE_FORMAT_EXTENSIBLE with `fact`/`LIST` chunks, PCM with fewer valid
//! bits than its container, μ-law/A-law without `cbSize`. The files are
//! made by ffmpeg, sox, wavpack, Python's soundfile and EBU's ear; we
//! decode each and compare with ffmpeg's decode of the same file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod tools;

use std::path::{Path, PathBuf};

use tools::{TempDir, assert_decodes_as_ffmpeg, ffmpeg_decode, our_decode, python_script, run};

/// Exact: integer PCM converts to f32 exactly on both sides.
const EXACT: f32 = 0.0;
/// 32-bit integers round to f32 differently by at most one step.
const S32: f32 = 1e-7;

/// Converts `src` with ffmpeg: `args` between input and output.
fn ffmpeg(src: &Path, args: &[&str], out: &Path) -> PathBuf {
    let mut all = vec!["-v", "error", "-y", "-i", src.to_str().unwrap()];
    all.extend_from_slice(args);
    all.push(out.to_str().unwrap());
    run("ffmpeg", &all);
    out.to_path_buf()
}

/// Rewrites `src` with soundfile (libsndfile) as `format`/`subtype`.
fn soundfile(src: &Path, format: &str, subtype: &str, out: &Path) -> PathBuf {
    const SCRIPT: &str = "import sys, soundfile as sf\n\
        d, r = sf.read(sys.argv[1], dtype='float64', always_2d=True)\n\
        sf.write(sys.argv[2], d, r, format=sys.argv[3], subtype=sys.argv[4])";
    let args = [
        src.to_str().unwrap(),
        out.to_str().unwrap(),
        format,
        subtype,
    ];
    python_script(SCRIPT, &args);
    out.to_path_buf()
}

#[test]
fn rf64_from_ffmpeg_and_soundfile_decodes_as_ffmpeg_does() {
    let dir = TempDir::new("rf64");
    let src = tools::source(dir.path(), 3.0);
    for codec in ["pcm_s16le", "pcm_s24le", "pcm_f32le", "pcm_s32le"] {
        let out = ffmpeg(
            &src,
            &["-rf64", "always", "-c:a", codec],
            &dir.join(&format!("{codec}.wav")),
        );
        assert_eq!(&std::fs::read(&out).unwrap()[..4], b"RF64");
        let tol = if codec == "pcm_s32le" { S32 } else { EXACT };
        let info = assert_decodes_as_ffmpeg(&out, tol);
        assert_eq!(info.container, "rf64", "{codec}");
    }
    for subtype in ["PCM_24", "FLOAT", "ULAW"] {
        let out = soundfile(
            &src,
            "RF64",
            subtype,
            &dir.join(&format!("sf_{subtype}.rf64")),
        );
        let info = assert_decodes_as_ffmpeg(&out, EXACT);
        assert_eq!(
            (info.container.as_str(), info.sample_rate),
            ("rf64", 44_100)
        );
    }
}

/// Writes `src` as BW64 with EBU's ADM renderer (ITU-R BS.2088): a ds64
/// chunk, and a data chunk whose 32-bit size is 0xFFFFFFFF.
fn ear(src: &Path, bits: &str, out: &Path) -> PathBuf {
    const SCRIPT: &str = "import sys, soundfile as sf\n\
        from ear.fileio.bw64.writer import Bw64Writer\n\
        from ear.fileio.bw64.chunks import FormatInfoChunk\n\
        d, r = sf.read(sys.argv[1], dtype='float64', always_2d=True)\n\
        with open(sys.argv[2], 'wb') as f:\n\
        \x20   fi = FormatInfoChunk(channelCount=d.shape[1], sampleRate=r, bitsPerSample=int(sys.argv[3]))\n\
        \x20   w = Bw64Writer(f, formatInfo=fi, forceBw64=True)\n\
        \x20   w.write(d)\n\
        \x20   w.close()";
    python_script(
        SCRIPT,
        &[src.to_str().unwrap(), out.to_str().unwrap(), bits],
    );
    out.to_path_buf()
}

#[test]
fn bw64_with_a_ds64_chunk_from_ear_decodes_as_ffmpeg_does() {
    let dir = TempDir::new("bw64");
    let src = tools::source(dir.path(), 3.0);
    for bits in ["16", "24"] {
        let out = ear(&src, bits, &dir.join(&format!("ear{bits}.wav")));
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(&bytes[..4], b"BW64");
        assert_eq!(&bytes[12..16], b"ds64");
        let info = assert_decodes_as_ffmpeg(&out, EXACT);
        assert_eq!(info.container, "bw64");
        assert_eq!(
            info.declared_frames,
            Some(3 * 44_100),
            "frames from the ds64 data size"
        );
    }
}

#[test]
fn wave64_from_ffmpeg_sox_and_soundfile_decodes_as_ffmpeg_does() {
    let dir = TempDir::new("w64");
    let src = tools::source(dir.path(), 3.0);
    let mut files = vec![
        ffmpeg(
            &src,
            &["-c:a", "pcm_s24le", "-f", "w64"],
            &dir.join("ff24.w64"),
        ),
        ffmpeg(
            &src,
            &["-c:a", "pcm_s16le", "-f", "w64"],
            &dir.join("ff16.w64"),
        ),
    ];
    let sox = dir.join("sox.w64");
    run(
        "sox",
        &[src.to_str().unwrap(), "-b", "24", sox.to_str().unwrap()],
    );
    files.push(sox);
    files.push(soundfile(&src, "W64", "FLOAT", &dir.join("sf_float.w64")));
    files.push(soundfile(&src, "W64", "ALAW", &dir.join("sf_alaw.w64")));
    for file in files {
        let info = assert_decodes_as_ffmpeg(&file, EXACT);
        assert_eq!(info.container, "w64", "{}", file.display());
    }
}

#[test]
fn extensible_wav_with_fact_and_list_chunks_decodes_as_ffmpeg_does() {
    let dir = TempDir::new("wavex");
    let src = tools::source(dir.path(), 3.0);
    // ffmpeg: extensible for 24 bits, with a LIST/INFO chunk before data;
    // four channels, with a bext chunk too.
    let tags = ["-metadata", "title=Tone", "-metadata", "artist=ffmpeg"];
    let mut args = vec!["-c:a", "pcm_s24le"];
    args.extend_from_slice(&tags);
    let mut files = vec![ffmpeg(&src, &args, &dir.join("ff_list.wav"))];
    args.extend_from_slice(&["-ac", "4", "-write_bext", "1"]);
    files.push(ffmpeg(&src, &args, &dir.join("ff_bext_4ch.wav")));
    // sox: extensible with a fact chunk; soundfile: WAVEX with fact.
    let sox = dir.join("sox24.wav");
    run(
        "sox",
        &[src.to_str().unwrap(), "-b", "24", sox.to_str().unwrap()],
    );
    files.push(sox);
    files.push(soundfile(
        &src,
        "WAVEX",
        "PCM_24",
        &dir.join("sf_wavex.wav"),
    ));
    files.push(soundfile(
        &src,
        "WAVEX",
        "FLOAT",
        &dir.join("sf_wavex_float.wav"),
    ));
    // soundfile with tags: fact and LIST/INFO before the data when set
    // first, LIST after the data when set last.
    const TAGGED: &str = "import sys, soundfile as sf\n\
        d, r = sf.read(sys.argv[1], dtype='float64', always_2d=True)\n\
        with sf.SoundFile(sys.argv[2], 'w', r, d.shape[1], sys.argv[3], format='WAVEX') as f:\n\
        \x20   if sys.argv[4] == 'before': f.title = 'Tone'; f.artist = 'soundfile'\n\
        \x20   f.write(d)\n\
        \x20   if sys.argv[4] == 'after': f.title = 'Tone'; f.comment = 'LIST after the data'";
    for (subtype, place) in [
        ("PCM_24", "before"),
        ("PCM_24", "after"),
        ("PCM_16", "after"),
    ] {
        let out = dir.join(&format!("sf_{subtype}_{place}.wav"));
        let args = [src.to_str().unwrap(), out.to_str().unwrap(), subtype, place];
        python_script(TAGGED, &args);
        let bytes = std::fs::read(&out).unwrap();
        let list = bytes.windows(4).position(|w| w == b"LIST").unwrap();
        let data = bytes.windows(4).position(|w| w == b"data").unwrap();
        assert_eq!(list > data, place == "after", "{}", out.display());
        files.push(out);
    }
    // G.711 as an extensible sub-format (soundfile writes fact and LIST).
    files.push(soundfile(
        &src,
        "WAVEX",
        "ULAW",
        &dir.join("sf_wavex_ulaw.wav"),
    ));
    files.push(soundfile(
        &src,
        "WAVEX",
        "ALAW",
        &dir.join("sf_wavex_alaw.wav"),
    ));
    // A LIST chunk of odd length, padded as RIFF says (what symphonia's
    // reader mis-parsed as "chunk length exceeds parent").
    let odd = dir.join("odd_list.wav");
    with_odd_list(&dir.join("sf_PCM_24_before.wav"), &odd);
    files.push(odd);
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(
            &bytes[20..22],
            &[0xFE, 0xFF],
            "{}: extensible",
            file.display()
        );
        let info = assert_decodes_as_ffmpeg(&file, EXACT);
        assert_eq!(info.container, "wave");
    }
}

/// Rewrites the RIFF file `path` with its LIST chunk replaced by one of
/// odd length (an INFO name of 3 bytes, unpadded inside the list) and the
/// pad byte RIFF puts after an odd chunk. No tool at hand writes this
/// layout; ffmpeg and sox read it.
fn with_odd_list(path: &Path, out: &Path) {
    let b = std::fs::read(path).unwrap();
    let mut body = b"WAVE".to_vec();
    let mut at = 12;
    while at + 8 <= b.len() {
        let id = &b[at..at + 4];
        let len = u32::from_le_bytes(b[at + 4..at + 8].try_into().unwrap()) as usize;
        let end = (at + 8 + len).min(b.len());
        if id == b"LIST" {
            let info = b"INFOINAM\x03\0\0\0ab\0";
            body.extend_from_slice(b"LIST");
            body.extend_from_slice(&u32::try_from(info.len()).unwrap().to_le_bytes());
            body.extend_from_slice(info);
            body.push(0);
        } else {
            body.extend_from_slice(&b[at..end]);
            if len % 2 == 1 {
                body.push(0);
            }
        }
        at = at + 8 + len + len % 2;
    }
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
    file.extend_from_slice(&body);
    std::fs::write(out, file).unwrap();
}

#[test]
fn pcm_with_fewer_valid_bits_than_its_container_decodes_as_ffmpeg_does() {
    // wavpack keeps 12 or 20 valid bits; wvunpack writes them as plain PCM
    // (wBitsPerSample 12 or 20) in stereo and as WAVE_FORMAT_EXTENSIBLE
    // (16 or 24 bits holding 12 or 20 valid) for four channels.
    let dir = TempDir::new("validbits");
    let src = tools::source(dir.path(), 3.0);
    for (bits, container, raw_fmt) in [(12, 16, "s16le"), (20, 24, "s24le")] {
        for channels in [2, 4] {
            let raw = dir.join(&format!("in{bits}_{channels}.raw"));
            let ch = channels.to_string();
            ffmpeg(&src, &["-ac", &ch, "-f", raw_fmt], &raw);
            let wv = dir.join(&format!("v{bits}_{channels}.wv"));
            let spec = format!("--raw-pcm=44100,{bits}s,{channels},le");
            let q = format!("--pre-quantize={bits}");
            run(
                "wavpack",
                &[
                    "-q",
                    "-y",
                    &spec,
                    &q,
                    raw.to_str().unwrap(),
                    "-o",
                    wv.to_str().unwrap(),
                ],
            );
            let wav = dir.join(&format!("v{bits}_{channels}.wav"));
            run(
                "wvunpack",
                &[
                    "-q",
                    "-y",
                    wv.to_str().unwrap(),
                    "-o",
                    wav.to_str().unwrap(),
                ],
            );
            let info = assert_decodes_as_ffmpeg(&wav, EXACT);
            assert_eq!(info.bit_depth, Some(bits), "{}", wav.display());
            assert_eq!(info.channels, channels);
            assert!(
                info.codec.contains(&container.to_string()),
                "{}",
                info.codec
            );
        }
    }
}

/// Removes the 2-byte `cbSize` from an 18-byte `fmt ` chunk right after
/// the RIFF header, fixing the sizes, as some telephony writers do.
fn without_cb_size(path: &Path, out: &Path) {
    let mut b = std::fs::read(path).unwrap();
    assert_eq!(&b[12..16], b"fmt ");
    assert_eq!(u32::from_le_bytes(b[16..20].try_into().unwrap()), 18);
    b[16..20].copy_from_slice(&16u32.to_le_bytes());
    b.drain(36..38);
    let riff = u32::try_from(b.len() - 8).unwrap();
    b[4..8].copy_from_slice(&riff.to_le_bytes());
    std::fs::write(out, b).unwrap();
}

#[test]
fn mulaw_and_alaw_without_cb_size_decode_as_ffmpeg_does() {
    // ffmpeg, sox and soundfile all write cbSize; files from some
    // telephony systems do not, so the test removes it from sox's file.
    let dir = TempDir::new("g711");
    let src = tools::source(dir.path(), 3.0);
    for (encoding, codec) in [("u-law", "pcm_mulaw"), ("a-law", "pcm_alaw")] {
        let with = dir.join(&format!("{codec}.wav"));
        run(
            "sox",
            &[
                src.to_str().unwrap(),
                "-e",
                encoding,
                with.to_str().unwrap(),
            ],
        );
        assert_decodes_as_ffmpeg(&with, EXACT);
        let bare = dir.join(&format!("{codec}_no_cbsize.wav"));
        without_cb_size(&with, &bare);
        let info = assert_decodes_as_ffmpeg(&bare, EXACT);
        assert_eq!(info.codec, codec);
        let ours = our_decode(&with).1;
        assert_eq!(
            our_decode(&bare).1,
            ours,
            "same samples with and without cbSize"
        );
    }
}

#[test]
fn classic_wav_still_decodes_as_ffmpeg_does() {
    let dir = TempDir::new("classic");
    let src = tools::source(dir.path(), 2.0);
    for (codec, tol) in [
        ("pcm_u8", EXACT),
        ("pcm_s16le", EXACT),
        ("pcm_s24le", EXACT),
        ("pcm_s32le", S32),
        ("pcm_f32le", EXACT),
        ("pcm_f64le", EXACT),
    ] {
        let out = ffmpeg(
            &src,
            &["-c:a", codec, "-rf64", "never"],
            &dir.join(&format!("{codec}.wav")),
        );
        let info = assert_decodes_as_ffmpeg(&out, tol);
        assert_eq!(info.container, "wave");
    }
    // ADPCM: the last block is padded, and decoders differ in how much of
    // it they deliver; the samples both give must agree.
    for codec in ["adpcm_ima_wav", "adpcm_ms"] {
        let out = ffmpeg(&src, &["-c:a", codec], &dir.join(&format!("{codec}.wav")));
        let (info, ours, _) = our_decode(&out);
        let (theirs, channels) = ffmpeg_decode(&out);
        assert_eq!(info.channels, channels);
        let n = ours.len().min(theirs.len());
        assert!(n >= 2 * 88_200, "{codec}: {n} samples");
        let worst = ours[..n]
            .iter()
            .zip(&theirs[..n])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst <= 1.0 / 32_768.0, "{codec}: differs by {worst}");
    }
}

#[test]
fn analyze_finds_and_reads_rf64_bw64_and_wave64_files_in_a_folder() {
    let dir = TempDir::new("family-cli");
    let src = tools::source(dir.path(), 3.0);
    let music = dir.join("music");
    std::fs::create_dir_all(&music).unwrap();
    run(
        "sox",
        &[
            src.to_str().unwrap(),
            "-b",
            "24",
            music.join("a.w64").to_str().unwrap(),
        ],
    );
    soundfile(&src, "RF64", "PCM_16", &music.join("b.rf64"));
    ffmpeg(
        &src,
        &["-rf64", "always", "-c:a", "pcm_s24le"],
        &music.join("c.wav"),
    );
    ear(&src, "24", &music.join("d.bw64"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .args([
            "analyze",
            music.to_str().unwrap(),
            "--format",
            "json",
            "--jobs",
            "1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4, "{stdout}");
    for row in rows {
        assert_eq!(row["ok"], true, "{row}");
        assert!(
            (row["duration_s"].as_f64().unwrap() - 3.0).abs() < 1e-6,
            "{row}"
        );
    }
}

#[test]
fn wav_and_rf64_streamed_to_a_pipe_read_to_their_end() {
    // ffmpeg writing to a pipe cannot go back to fill in the sizes: WAV
    // says 0xFFFFFFFF, RF64 leaves its ds64 sizes at 0 (ffmpeg then reads
    // no audio from its own file; the reference is the piped WAV's).
    let dir = TempDir::new("piped");
    let src = tools::source(dir.path(), 3.0);
    let mut paths = Vec::new();
    for (name, rf64) in [("piped.wav", "never"), ("piped.rf64.wav", "always")] {
        let out = std::process::Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-i",
                src.to_str().unwrap(),
                "-c:a",
                "pcm_s24le",
            ])
            .args(["-rf64", rf64, "-f", "wav", "pipe:1"])
            .output()
            .expect("ffmpeg is required for these tests (apt-get install ffmpeg)");
        assert!(out.status.success());
        let path = dir.join(name);
        std::fs::write(&path, &out.stdout).unwrap();
        paths.push(path);
    }
    let info = assert_decodes_as_ffmpeg(&paths[0], EXACT);
    assert_eq!(info.declared_frames, None, "no length was written");
    let (reference, _) = ffmpeg_decode(&paths[0]);
    let (info, ours, _) = our_decode(&paths[1]);
    assert_eq!(
        (info.container.as_str(), info.declared_frames),
        ("rf64", None)
    );
    assert_eq!(
        ours, reference,
        "piped RF64: the same samples as the piped WAV"
    );
}
