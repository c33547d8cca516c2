//! What `merge` checks: that the shards agree (one pipeline, one program
//! version, one shard count) before anything is written, and afterwards
//! what is incomplete: shard indexes nobody brought, files a shard was
//! given but has no result for, files with a result in two shards.

use std::collections::{BTreeMap, BTreeSet};

use crate::cli::error::CliError;
use crate::cli::terminal::escape;
use crate::library::MergeSource;

/// Files listed by name in a report before "and N more".
const LISTED: usize = 20;

/// What every shard agrees on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Agreement {
    /// The pipeline's name.
    pub pipeline: String,
    /// How many shards the run was split into, when the shards say.
    pub count: Option<u32>,
}

/// Each distinct value of `key` over the runs, with the shards holding it.
fn by_value(
    sources: &[MergeSource],
    key: impl Fn(&crate::library::RunRow) -> String,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in sources {
        for run in &s.runs {
            seen.entry(key(run))
                .or_default()
                .insert(s.path.display().to_string());
        }
    }
    seen
}

/// "A in x, y; B in z" for a refusal.
fn listing(seen: &BTreeMap<String, BTreeSet<String>>) -> String {
    seen.iter()
        .map(|(value, shards)| {
            let names: Vec<&str> = shards.iter().map(String::as_str).collect();
            format!("{value} in {}", names.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The shards' common pipeline, program version and count, or an error
/// naming which shard holds which when they differ.
pub(super) fn agreement(sources: &[MergeSource]) -> Result<Agreement, CliError> {
    let pipelines = by_value(sources, |r| {
        format!("\"{}\" (hash {})", r.pipeline_name, r.pipeline_hash)
    });
    if pipelines.len() > 1 {
        return Err(CliError::Merge(format!(
            "the shards ran different pipelines, refusing to merge: {}",
            listing(&pipelines)
        )));
    }
    let versions = by_value(sources, |r| format!("version {}", r.program_version));
    if versions.len() > 1 {
        return Err(CliError::Merge(format!(
            "the shards were run by different Wave Studio versions, refusing to merge: {}",
            listing(&versions)
        )));
    }
    let sharded: Vec<_> = sources
        .iter()
        .flat_map(|s| &s.runs)
        .filter_map(|r| r.shard)
        .collect();
    let counts = by_value(sources, |r| {
        r.shard
            .map_or_else(|| "not sharded".into(), |s| format!("{} shards", s.count))
    });
    if counts.len() > 1 {
        return Err(CliError::Merge(format!(
            "the shards split their inputs differently, refusing to merge: {}",
            listing(&counts)
        )));
    }
    let Some(pipeline) = sources
        .iter()
        .flat_map(|s| &s.runs)
        .map(|r| r.pipeline_name.clone())
        .next()
    else {
        return Err(CliError::Merge("no shard holds a run".into()));
    };
    Ok(Agreement {
        pipeline,
        count: sharded.first().map(|s| s.count),
    })
}

/// What the merged shards lack or hold twice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Gaps {
    /// Shard indexes below the count that no library brought.
    pub missing_shards: Vec<u32>,
    /// Files some run was given that have no result, with the shards
    /// that were given them.
    pub missing_files: BTreeMap<String, BTreeSet<String>>,
    /// Files with a result in more than one shard, with those shards.
    pub doubled_files: BTreeMap<String, BTreeSet<String>>,
}

/// Compares what the shards were given with what they hold.
pub(super) fn gaps(sources: &[MergeSource], count: Option<u32>) -> Gaps {
    let seen: BTreeSet<u32> = sources
        .iter()
        .flat_map(|s| &s.runs)
        .filter_map(|r| r.shard.map(|s| s.index))
        .collect();
    let missing_shards = count
        .map(|n| (0..n).filter(|i| !seen.contains(i)).collect())
        .unwrap_or_default();
    let mut results: BTreeMap<&(String, String), BTreeSet<String>> = BTreeMap::new();
    for s in sources {
        for r in &s.results {
            results
                .entry(r)
                .or_default()
                .insert(s.path.display().to_string());
        }
    }
    let mut missing_files: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in sources {
        for input in s.inputs.iter().filter(|i| !results.contains_key(i)) {
            missing_files
                .entry(input.1.clone())
                .or_default()
                .insert(s.path.display().to_string());
        }
    }
    let doubled_files = results
        .into_iter()
        .filter(|(_, shards)| shards.len() > 1)
        .map(|((_, path), shards)| (path.clone(), shards))
        .collect();
    Gaps {
        missing_shards,
        missing_files,
        doubled_files,
    }
}

impl Gaps {
    /// Nothing is missing or doubled.
    pub(super) fn is_empty(&self) -> bool {
        self.missing_shards.is_empty()
            && self.missing_files.is_empty()
            && self.doubled_files.is_empty()
    }

    /// One line per kind of gap, then the files (at most `LISTED` each).
    pub(super) fn print(&self) {
        if !self.missing_shards.is_empty() {
            let list: Vec<String> = self.missing_shards.iter().map(u32::to_string).collect();
            eprintln!(
                "warning: missing shard(s) {}: no library given holds a run of them",
                list.join(", ")
            );
        }
        print_files(
            "file(s) without a result (their shard did not finish; rerun it)",
            &self.missing_files,
        );
        print_files(
            "file(s) with a result in more than one shard (the later result is kept)",
            &self.doubled_files,
        );
    }
}

fn print_files(what: &str, files: &BTreeMap<String, BTreeSet<String>>) {
    if files.is_empty() {
        return;
    }
    eprintln!("warning: {} {what}:", files.len());
    for (path, shards) in files.iter().take(LISTED) {
        let names: Vec<&str> = shards.iter().map(String::as_str).collect();
        let names = names.join(", ");
        eprintln!("  {} ({})", escape(path), escape(&names));
    }
    if files.len() > LISTED {
        eprintln!("  and {} more", files.len() - LISTED);
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::library::{RunCounts, RunRow, Shard};

    fn source(name: &str, shard: Option<Shard>, hash: &str, version: &str) -> MergeSource {
        MergeSource {
            path: PathBuf::from(name),
            runs: vec![RunRow {
                id: 1,
                pipeline_name: "Full".into(),
                pipeline_hash: hash.into(),
                program_version: version.into(),
                started_ms: 0,
                finished_ms: Some(1),
                files_total: 0,
                counts: RunCounts::default(),
                shard,
                host: None,
            }],
            ..MergeSource::default()
        }
    }

    fn shard(index: u32, count: u32) -> Option<Shard> {
        Some(Shard { index, count })
    }

    #[test]
    fn refusals_name_the_shards_on_each_side() {
        let mixed = [
            source("a.sqlite", shard(0, 3), "h1", "0.1.0"),
            source("b.sqlite", shard(1, 3), "h2", "0.1.0"),
            source("c.sqlite", shard(2, 3), "h1", "0.1.0"),
        ];
        let e = agreement(&mixed).unwrap_err().to_string();
        assert!(e.contains("different pipelines"), "{e}");
        assert!(e.contains("h1) in a.sqlite, c.sqlite; "), "{e}");
        assert!(e.contains("h2) in b.sqlite"), "{e}");
        let versions = [
            source("a.sqlite", shard(0, 2), "h", "0.1.0"),
            source("b.sqlite", shard(1, 2), "h", "0.2.0"),
        ];
        let e = agreement(&versions).unwrap_err().to_string();
        assert!(e.contains("version 0.2.0 in b.sqlite"), "{e}");
        let counts = [
            source("a.sqlite", shard(0, 2), "h", "0.1.0"),
            source("b.sqlite", shard(1, 3), "h", "0.1.0"),
        ];
        let e = agreement(&counts).unwrap_err().to_string();
        assert!(
            e.contains("2 shards in a.sqlite; 3 shards in b.sqlite"),
            "{e}"
        );
    }

    #[test]
    fn gaps_name_missing_shards_missing_files_and_doubled_files() {
        let key = |p: &str| ("Full".to_string(), p.to_string());
        let mut a = source("a.sqlite", shard(0, 3), "h", "v");
        a.inputs = [key("/x"), key("/y")].into_iter().collect();
        a.results = vec![key("/x")];
        let mut c = source("c.sqlite", shard(2, 3), "h", "v");
        c.inputs = [key("/z")].into_iter().collect();
        c.results = vec![key("/z"), key("/x")];
        let sources = [a, c];
        let agreed = agreement(&sources).unwrap();
        assert_eq!(agreed.count, Some(3));
        let gaps = gaps(&sources, agreed.count);
        assert_eq!(gaps.missing_shards, [1]);
        assert_eq!(gaps.missing_files.keys().collect::<Vec<_>>(), ["/y"]);
        let doubled: Vec<_> = gaps.doubled_files["/x"].iter().cloned().collect();
        assert_eq!(doubled, ["a.sqlite", "c.sqlite"]);
        assert!(!gaps.is_empty());
    }
}
