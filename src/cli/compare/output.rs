//! `compare`'s output: a table for people, JSON, or CSV.

use std::io::Write;

use serde_json::Value;

use crate::pipeline::fields;
use crate::results::compare::{Comparison, QualityHistogram, SideCost, compared_fields};
use crate::results::export::csv_writer;
use crate::run::FileResult;
use crate::text::{escape, escape_text};

/// A value for a table cell: numbers to two decimals at most, a key with
/// its Camelot code.
fn shown(record: &FileResult, field: &str) -> String {
    let v = record.value(field);
    let text = match v {
        Value::Null => "none".to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() != 0.0 => format!("{}", (x * 100.0).round() / 100.0),
            _ => n.to_string(),
        },
        other => other.to_string(),
    };
    let text = match (field, record.value(fields::CAMELOT).as_str()) {
        (fields::KEY, Some(c)) if !v.is_null() => format!("{text} ({c})"),
        _ => text,
    };
    escape(&text).into_owned()
}

/// The comparison as a table: the header, every difference per file,
/// then the summary. `paths` are A's and B's pipeline files.
pub fn write_table(
    out: &mut dyn Write,
    c: &Comparison,
    paths: &[String; 2],
) -> std::io::Result<()> {
    let s = &c.summary;
    writeln!(out, "A: {} ({})", escape(&c.a.name), escape(&paths[0]))?;
    writeln!(out, "B: {} ({})", escape(&c.b.name), escape(&paths[1]))?;
    let failed = |side| s.failures.iter().filter(|f| f.side == side).count();
    writeln!(
        out,
        "{} file(s): {} agree on every compared field, {} differ; failed: A {}, B {}",
        s.files,
        s.agreeing_files,
        s.files - s.agreeing_files,
        failed("A"),
        failed("B")
    )?;
    write_differences(out, c)?;
    write_agreement(out, c)?;
    write_costs(out, c)?;
    write_quality(out, &s.quality_a, &s.quality_b)?;
    if !s.failures.is_empty() {
        writeln!(out, "\nfailures")?;
        for f in &s.failures {
            writeln!(
                out,
                "  {}  {}: {}",
                f.side,
                escape(&f.file),
                escape(&f.error)
            )?;
        }
    }
    Ok(())
}

fn write_differences(out: &mut dyn Write, c: &Comparison) -> std::io::Result<()> {
    let rows: Vec<_> = c
        .files
        .iter()
        .flat_map(|f| f.differences.iter().map(move |d| (f, d)))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let width = rows
        .iter()
        .map(|(f, _)| escape(&f.file).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(out)?;
    writeln!(
        out,
        "{:<width$}  {:<18} {:<18} {:<18} how",
        "file", "field", "A", "B"
    )?;
    for (f, d) in rows {
        writeln!(
            out,
            "{:<width$}  {:<18} {:<18} {:<18} {}",
            escape(&f.file),
            escape(&d.field),
            shown(&f.a, &d.field),
            shown(&f.b, &d.field),
            escape(&d.note)
        )?;
    }
    Ok(())
}

fn write_agreement(out: &mut dyn Write, c: &Comparison) -> std::io::Result<()> {
    let s = &c.summary;
    writeln!(
        out,
        "\n{:<22} {:>6} {:>6} {:>8}",
        "agreement", "files", "agree", "share"
    )?;
    for f in &s.fields {
        let octave = if f.octave > 0 {
            format!("  ({} an octave apart)", f.octave)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:<22} {:>6} {:>6} {:>7.1}%{octave}",
            escape(&f.field),
            f.compared,
            f.agreed,
            f.share() * 100.0
        )?;
    }
    if !s.only_a.is_empty() {
        writeln!(out, "only A gives: {}", escape(&s.only_a.join(", ")))?;
    }
    if !s.only_b.is_empty() {
        writeln!(out, "only B gives: {}", escape(&s.only_b.join(", ")))?;
    }
    Ok(())
}

/// CPU ms, wall ms and files (computed+cached) of one side, or dashes.
fn cost_cells(cost: Option<&SideCost>) -> [String; 3] {
    match cost {
        Some(c) => [
            format!("{:.1}", c.cpu_seconds * 1000.0),
            format!("{:.1}", c.wall_seconds * 1000.0),
            format!("{}+{}c", c.computed, c.cached),
        ],
        None => ["-".into(), "-".into(), String::new()],
    }
}

fn write_costs(out: &mut dyn Write, c: &Comparison) -> std::io::Result<()> {
    let s = &c.summary;
    writeln!(
        out,
        "\n{:<22} {:>9} {:>9} {:>7} {:>9} {:>9} {:>7} {:>6}",
        "time per node",
        "A cpu ms",
        "A wall ms",
        "A files",
        "B cpu ms",
        "B wall ms",
        "B files",
        "B/A"
    )?;
    for n in &s.nodes {
        let [a_cpu, a_wall, a_n] = cost_cells(n.a.as_ref());
        let [b_cpu, b_wall, b_n] = cost_cells(n.b.as_ref());
        let ratio = n.ratio().map_or_else(|| "-".into(), |r| format!("{r:.2}"));
        writeln!(
            out,
            "{:<22} {a_cpu:>9} {a_wall:>9} {a_n:>7} {b_cpu:>9} {b_wall:>9} {b_n:>7} {ratio:>6}",
            escape(&n.node)
        )?;
    }
    let ([a_cpu, b_cpu], [a_wall, b_wall]) = (s.total_cpu_seconds, s.total_wall_seconds);
    let ratio = if a_cpu > 0.0 {
        format!("{:.2}", b_cpu / a_cpu)
    } else {
        "-".into()
    };
    writeln!(
        out,
        "{:<22} {:>9.1} {:>9.1} {:>7} {:>9.1} {:>9.1} {:>7} {ratio:>6}",
        "total",
        a_cpu * 1000.0,
        a_wall * 1000.0,
        "",
        b_cpu * 1000.0,
        b_wall * 1000.0,
        ""
    )?;
    writeln!(
        out,
        "(cpu: the CPU time each node's thread used; B/A compares it. files: \
         computed+cached; cached outputs cost nothing. A plugin's own process \
         is not in cpu, only in wall.)"
    )
}

fn write_quality(
    out: &mut dyn Write,
    a: &QualityHistogram,
    b: &QualityHistogram,
) -> std::io::Result<()> {
    write!(out, "\n{:<8}", "quality")?;
    for i in 0..10 {
        write!(out, " {:>4}", format!("{:.1}", f64::from(i) / 10.0))?;
    }
    writeln!(out, " {:>5}", "none")?;
    for (side, h) in [("A", a), ("B", b)] {
        write!(out, "{side:<8}")?;
        for n in h.bins {
            write!(out, " {n:>4}")?;
        }
        writeln!(out, " {:>5}", h.none)?;
    }
    Ok(())
}

/// The whole comparison as one JSON document.
pub fn write_json(out: &mut dyn Write, c: &Comparison) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(c).map_err(std::io::Error::other)?;
    writeln!(out, "{text}")
}

/// One row per file and compared field both records have.
pub fn write_csv(out: &mut dyn Write, c: &Comparison) -> std::io::Result<()> {
    let mut w = csv_writer(out);
    w.write_record(["file", "field", "a", "b", "agree", "note"])?;
    for f in &c.files {
        for field in compared_fields() {
            let Some(verdict) =
                crate::results::compare::compare_field(field, &f.a.values, &f.b.values)
            else {
                continue;
            };
            let (agree, note) = match verdict {
                crate::results::compare::Verdict::Agree => ("true", String::new()),
                crate::results::compare::Verdict::Differ(n) => ("false", n),
            };
            let cell = |r: &FileResult| match r.value(field) {
                Value::Null => String::new(),
                Value::String(s) => escape_text(s).into_owned(),
                v => v.to_string(),
            };
            w.write_record([
                escape_text(&f.file).as_ref(),
                field,
                cell(&f.a).as_str(),
                cell(&f.b).as_str(),
                agree,
                note.as_str(),
            ])?;
        }
    }
    w.flush()
}
