//! `results --runs`: the library's runs as a table, newest first.

use std::io::Write;

use crate::cli::terminal::escape;
use crate::library::RunRow;

/// Writes `runs` as a table with a header.
pub(super) fn write_table(out: &mut impl Write, runs: &[RunRow]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>5}  {:<24} {:<19}  {:<19}  {:>6} {:>6} {:>6} {:>9} {:>6} {:>7}  host",
        "run",
        "pipeline",
        "started",
        "finished",
        "files",
        "ok",
        "failed",
        "cancelled",
        "cached",
        "shard",
    )?;
    for r in runs {
        let finished = r.finished_ms.map_or_else(|| "unfinished".to_string(), utc);
        let shard = r.shard.map_or_else(|| "-".to_string(), |s| s.to_string());
        writeln!(
            out,
            "{:>5}  {:<24} {:<19}  {:<19}  {:>6} {:>6} {:>6} {:>9} {:>6} {:>7}  {}",
            r.id,
            escape(&r.pipeline_name),
            utc(r.started_ms),
            finished,
            r.files_total,
            r.counts.ok,
            r.counts.failed,
            r.counts.cancelled,
            r.counts.cached,
            shard,
            escape(r.host.as_deref().unwrap_or("-"))
        )?;
    }
    Ok(())
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SS` (UTC).
fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use super::*;
    use crate::library::{RunCounts, Shard};

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(utc(1_798_761_599_999), "2026-12-31 23:59:59");
    }

    #[test]
    fn the_table_names_unfinished_runs() {
        let run = |id, finished_ms| RunRow {
            id,
            pipeline_name: "Full analysis".into(),
            pipeline_hash: "00".into(),
            program_version: "0.1.0".into(),
            started_ms: 0,
            finished_ms,
            files_total: 30,
            counts: RunCounts {
                ok: 12,
                failed: 1,
                cancelled: 0,
                cached: 4,
            },
            shard: (id == 1).then_some(Shard { index: 1, count: 3 }),
            host: (id == 1).then(|| "node-7".to_string()),
        };
        let mut out = Vec::new();
        write_table(&mut out, &[run(2, None), run(1, Some(60_000))]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[1].contains("unfinished") && lines[1].contains("Full analysis"));
        assert!(lines[2].contains("1970-01-01 00:01:00"), "{text}");
        let cells: Vec<&str> = lines[2].split_whitespace().collect();
        assert_eq!(
            cells[cells.len() - 7..],
            ["30", "12", "1", "0", "4", "1/3", "node-7"]
        );
        assert!(lines[1].ends_with("-  -"), "no shard, no host: {text}");
    }
}
