//! Names of the values in a file's result record, as the built-in
//! operations write them and the exports, the CLI and the app read them.

// The record's fixed fields (`FileResult`).
/// The audio file's path.
pub const FILE: &str = "file";
/// Whether every stage that ran succeeded.
pub const OK: &str = "ok";
/// The wave's final status.
pub const STATUS: &str = "status";
/// Every stage error, joined.
pub const ERROR: &str = "error";
/// The wave's quality: the lowest confidence a stage reported.
pub const QUALITY: &str = "quality";
/// Seconds from the wave's start to its end.
pub const ANALYSIS_S: &str = "analysis_s";
/// Nodes skipped, with why.
pub const SKIPPED: &str = "skipped";
/// Every node's output came from the results library.
pub const CACHED: &str = "cached";

// Probe and Decode.
/// Short codec name.
pub const CODEC: &str = "codec";
/// Short container name.
pub const CONTAINER: &str = "container";
/// Sample rate, Hz.
pub const SAMPLE_RATE: &str = "sample_rate";
/// Channels per frame.
pub const CHANNELS: &str = "channels";
/// Bits per sample, where the codec has one.
pub const BIT_DEPTH: &str = "bit_depth";
/// Duration the container declares, seconds.
pub const DECLARED_DURATION_S: &str = "declared_duration_s";
/// Duration, seconds.
pub const DURATION_S: &str = "duration_s";
/// Whether only an excerpt was decoded.
pub const EXCERPT: &str = "excerpt";
/// Seconds of the excerpt decoded.
pub const EXCERPT_S: &str = "excerpt_s";
/// Packets skipped as unreadable.
pub const BAD_PACKETS: &str = "bad_packets";
/// Whether the decode covers less than the whole file.
pub const PARTIAL: &str = "partial";
/// Why the decode covers less than the whole file.
pub const PARTIAL_REASON: &str = "partial_reason";
/// Integrated loudness, LUFS.
pub const LOUDNESS_LUFS: &str = "loudness_lufs";
/// Loudness range, LU.
pub const LOUDNESS_RANGE_LU: &str = "loudness_range_lu";
/// True peak, dBTP.
pub const TRUE_PEAK_DBTP: &str = "true_peak_dbtp";
/// RMS level, dBFS.
pub const RMS_DBFS: &str = "rms_dbfs";
/// Sample peak, dBFS.
pub const PEAK_DBFS: &str = "peak_dbfs";
/// Seconds of silence at the start.
pub const LEADING_SILENCE_S: &str = "leading_silence_s";
/// Seconds of silence at the end.
pub const TRAILING_SILENCE_S: &str = "trailing_silence_s";
/// Confidence in the loudness figures.
pub const LOUDNESS_CONFIDENCE: &str = "loudness_confidence";

// Spectral.
/// Mean spectral centroid, Hz.
pub const SPECTRAL_CENTROID_HZ: &str = "spectral_centroid_hz";
/// Standard deviation of the spectral centroid, Hz.
pub const SPECTRAL_CENTROID_STD_HZ: &str = "spectral_centroid_std_hz";
/// Mean spectral rolloff, Hz.
pub const SPECTRAL_ROLLOFF_HZ: &str = "spectral_rolloff_hz";
/// Mean spectral flatness.
pub const SPECTRAL_FLATNESS: &str = "spectral_flatness";
/// Mean spectral flux.
pub const SPECTRAL_FLUX: &str = "spectral_flux";
/// Mean zero-crossing rate.
pub const ZERO_CROSSING_RATE: &str = "zero_crossing_rate";
/// Confidence in the spectral figures.
pub const SPECTRAL_CONFIDENCE: &str = "spectral_confidence";

// Tempo.
/// Tempo, BPM.
pub const BPM: &str = "bpm";
/// Confidence in the tempo, 0..=1.
pub const BPM_CONFIDENCE: &str = "bpm_confidence";
/// The tempo and its alternatives (half, double, other peaks), each
/// `{bpm, score}`, the chosen one first, the rest by score.
pub const BPM_CANDIDATES: &str = "bpm_candidates";
/// Why `bpm` is null though the file decoded (noise, speech, no onsets).
pub const BPM_REASON: &str = "bpm_reason";
/// Beat times, seconds (refined tempo only).
pub const BEATS: &str = "beats";
/// Whether the tempo was refined by beat tracking.
pub const TEMPO_REFINED: &str = "tempo_refined";
/// Beats per bar (beat tracking only; 4 when unsure).
pub const METER: &str = "meter";
/// Confidence in the meter and the downbeats, 0..=1.
pub const METER_CONFIDENCE: &str = "meter_confidence";
/// Time of the first downbeat, seconds.
pub const FIRST_DOWNBEAT_S: &str = "first_downbeat_s";
/// Whether the local tempo moves through the file (a live drummer, a ramp).
pub const TEMPO_VARIABLE: &str = "tempo_variable";

// Key.
/// Key, e.g. "A minor".
pub const KEY: &str = "key";
/// Confidence in the key, 0..=1.
pub const KEY_CONFIDENCE: &str = "key_confidence";
/// Key in Camelot notation, e.g. "8A".
pub const CAMELOT: &str = "camelot";
/// Why `key` is null though the file decoded (noise, speech, one note).
pub const KEY_REASON: &str = "key_reason";
/// The second most likely key.
pub const KEY_RUNNER_UP: &str = "key_runner_up";
/// Tuning offset from A440, semitones.
pub const TUNING_SEMITONES: &str = "tuning_semitones";
/// Whether the key was refined by the profile families' vote.
pub const KEY_REFINED: &str = "key_refined";
/// Key segments over time, in order, as "A minor" names (one name when
/// the piece stays in its key).
pub const KEY_SEGMENTS: &str = "key_segments";

// Summaries.
/// The lowest confidence of the quick estimates.
pub const QUICK_CONFIDENCE: &str = "quick_confidence";
/// Tempo rounded for people.
pub const BPM_DISPLAY: &str = "bpm_display";
/// Key in Open Key notation, e.g. "1m".
pub const OPEN_KEY: &str = "open_key";
/// Key in the chosen notation.
pub const KEY_DISPLAY: &str = "key_display";
/// Whether the loudness meets the gate.
pub const LOUDNESS_COMPLIANT: &str = "loudness_compliant";
/// Why the loudness does not meet the gate.
pub const LOUDNESS_ISSUES: &str = "loudness_issues";
/// What the loudness gate's error starts with when it fails a file
/// (`fail_on_violation`), before the issues joined by "; ".
pub const NOT_COMPLIANT_ERROR: &str = "not EBU R128 compliant: ";

// Around the records in JSON exports.
/// The pipeline's name.
pub const PIPELINE: &str = "pipeline";
/// The hash of the pipeline's saved form.
pub const PIPELINE_HASH: &str = "pipeline_hash";
/// The array of records.
pub const RESULTS: &str = "results";

// The file's own tags (Probe), and how ours compare (Aggregate).
/// Title from the file's tags.
pub const TITLE: &str = "title";
/// Artist from the file's tags.
pub const ARTIST: &str = "artist";
/// Album from the file's tags.
pub const ALBUM: &str = "album";
/// The BPM the file's tags hold.
pub const TAG_BPM: &str = "tag_bpm";
/// The key the file's tags hold, as written there.
pub const TAG_KEY: &str = "tag_key";
/// ReplayGain track gain in the file's tags, dB.
pub const TAG_REPLAYGAIN_DB: &str = "tag_replaygain_db";
/// Why the tags could not be read (the analysis goes on).
pub const TAG_ERROR: &str = "tag_error";
/// Our tempo against the tag's: same, half, double, other.
pub const TAG_BPM_RELATION: &str = "tag_bpm_relation";
/// Our key against the tag's: same, relative, parallel, fifth, other.
pub const TAG_KEY_RELATION: &str = "tag_key_relation";

#[cfg(test)]
mod tests {
    use super::*;

    use crate::run::FileResult;

    #[test]
    fn fixed_fields_are_the_records_own_names() {
        let record = FileResult {
            quality: Some(1.0),
            analysis_s: 0.1,
            ..FileResult::new("a.wav")
        };
        let json = serde_json::to_value(&record).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut fixed = vec![
            FILE, OK, STATUS, ERROR, QUALITY, ANALYSIS_S, CACHED, SKIPPED,
        ];
        fixed.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, fixed);
    }
}
