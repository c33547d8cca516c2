//! `run --shard I/N`: which of the inputs' files this process takes. The
//! split hashes each file's path relative to the inputs' root, so every
//! machine puts the same file in the same shard whatever order it lists
//! them in and wherever the shared folder is mounted. `--shard auto` reads
//! the index from a Kubernetes Indexed Job or a Slurm job array.

use std::path::{Component, Path, PathBuf};

use xxhash_rust::xxh3::xxh3_64;

use crate::cli::error::CliError;
pub use crate::library::Shard;

/// Kubernetes Indexed Jobs: the pod's completion index, 0-based.
pub const K8S_INDEX: &str = "JOB_COMPLETION_INDEX";
/// Slurm job arrays: this task's id.
pub const SLURM_ID: &str = "SLURM_ARRAY_TASK_ID";
/// Slurm job arrays: how many tasks the array has.
pub const SLURM_COUNT: &str = "SLURM_ARRAY_TASK_COUNT";
/// Slurm job arrays: the first task id (`--array=1-8` starts at 1).
pub const SLURM_MIN: &str = "SLURM_ARRAY_TASK_MIN";
/// Slurm job arrays: the step between task ids (`--array=0-14:2`).
pub const SLURM_STEP: &str = "SLURM_ARRAY_TASK_STEP";

/// The pattern in `--db` and `--out` replaced by the shard's index.
pub const PATTERN: &str = "{shard}";

/// `--shard` as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardArg {
    /// `I/N`: shard I (0-based) of N.
    Fixed(Shard),
    /// `auto`: from the environment of a cluster's job.
    Auto,
}

/// Parses `--shard`: `I/N` with `0 <= I < N`, or `auto`.
pub fn parse_shard(s: &str) -> Result<ShardArg, String> {
    if s == "auto" {
        return Ok(ShardArg::Auto);
    }
    let Some((i, n)) = s.split_once('/') else {
        return Err("expected I/N (shard I of N, numbered from 0) or auto".into());
    };
    let index: u32 = i
        .trim()
        .parse()
        .map_err(|e| format!("the index {i:?} is not a number: {e}"))?;
    let count: u32 = n
        .trim()
        .parse()
        .map_err(|e| format!("the count {n:?} is not a number: {e}"))?;
    checked(index, count, "").map(ShardArg::Fixed)
}

/// Parses `--shards`: a count of at least 1.
pub fn parse_count(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// `index` of `count` when `index < count`; `source` says where they
/// came from in the message.
fn checked(index: u32, count: u32, source: &str) -> Result<Shard, String> {
    if count == 0 {
        return Err(format!("the count must be at least 1{source}"));
    }
    if index >= count {
        return Err(format!(
            "index {index} is not below the count {count}{source} (shards are numbered 0 to {})",
            count - 1
        ));
    }
    Ok(Shard { index, count })
}

/// The shard to run: `--shard I/N` as given, or for `auto` the index from
/// `env` (a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` with `--shards`,
/// else a Slurm array's task id less its first id, over its task count).
pub fn resolve(
    arg: ShardArg,
    shards: Option<u32>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Shard, CliError> {
    let fail = |m: String| CliError::Shard(m);
    let number = |name: &str| -> Result<Option<u32>, CliError> {
        env(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| {
                v.trim()
                    .parse::<u32>()
                    .map_err(|e| fail(format!("{name}={v:?} is not a number: {e}")))
            })
            .transpose()
    };
    let shard = match arg {
        ShardArg::Fixed(shard) => {
            if let Some(n) = shards.filter(|&n| n != shard.count) {
                return Err(fail(format!(
                    "--shard {shard} says {} shards but --shards says {n}",
                    shard.count
                )));
            }
            return Ok(shard);
        }
        ShardArg::Auto => {
            if let Some(index) = number(K8S_INDEX)? {
                let Some(count) = shards else {
                    return Err(fail(format!(
                        "auto with {K8S_INDEX} (a Kubernetes Indexed Job) needs --shards N, \
                         the Job's completions"
                    )));
                };
                checked(index, count, &format!(" ({K8S_INDEX}, --shards)"))
            } else if let Some(id) = number(SLURM_ID)? {
                slurm(id, shards, &number)?
            } else {
                return Err(fail(format!(
                    "auto needs {K8S_INDEX} (Kubernetes Indexed Job) or {SLURM_ID} \
                     (Slurm job array) in the environment; neither is set"
                )));
            }
        }
    };
    shard.map_err(fail)
}

/// A Slurm array task's shard: (id - min) / step of the array's count
/// (`--shards` when given must agree).
fn slurm(
    id: u32,
    shards: Option<u32>,
    number: &impl Fn(&str) -> Result<Option<u32>, CliError>,
) -> Result<Result<Shard, String>, CliError> {
    let min = number(SLURM_MIN)?.unwrap_or(0);
    let step = number(SLURM_STEP)?.unwrap_or(1).max(1);
    let count = match (number(SLURM_COUNT)?, shards) {
        (Some(c), Some(n)) if c != n => {
            return Err(CliError::Shard(format!(
                "{SLURM_COUNT}={c} but --shards says {n}"
            )));
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => {
            return Err(CliError::Shard(format!(
                "auto with {SLURM_ID} needs {SLURM_COUNT} or --shards N"
            )));
        }
    };
    let Some(offset) = id.checked_sub(min).filter(|o| o % step == 0) else {
        return Err(CliError::Shard(format!(
            "{SLURM_ID}={id} is not {SLURM_MIN}={min} plus a multiple of {SLURM_STEP}={step}"
        )));
    };
    Ok(checked(
        offset / step,
        count,
        &format!(" ({SLURM_ID}={id}, {SLURM_MIN}={min}, {SLURM_COUNT}={count})"),
    ))
}

/// The files of `files` that fall in `shard`, in their order. `inputs` are
/// the folders and files the command line named: their deepest common
/// folder is the root the hashed paths are relative to.
pub fn select(files: &[PathBuf], inputs: &[PathBuf], shard: Shard) -> Vec<PathBuf> {
    let root = common_root(inputs);
    files
        .iter()
        .filter(|f| shard_of(&relative_key(f, &root), shard.count) == shard.index)
        .cloned()
        .collect()
}

/// The shard of a file's relative path among `count`.
pub fn shard_of(key: &str, count: u32) -> u32 {
    u32::try_from(xxh3_64(key.as_bytes()) % u64::from(count.max(1))).unwrap_or(0)
}

/// `path` made absolute, without `.` components (symbolic links are left
/// alone: the mount's own names are what machines share).
fn normal(path: &Path) -> Vec<String> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    absolute
        .components()
        .filter(|c| !matches!(c, Component::CurDir | Component::RootDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

/// The deepest folder holding every input (a file input counts as its
/// folder).
fn common_root(inputs: &[PathBuf]) -> Vec<String> {
    let mut root: Option<Vec<String>> = None;
    for input in inputs {
        let mut parts = normal(input);
        if !input.is_dir() {
            parts.pop();
        }
        root = Some(match root {
            None => parts,
            Some(r) => r
                .iter()
                .zip(&parts)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a.clone())
                .collect(),
        });
    }
    root.unwrap_or_default()
}

/// `file`'s path below `root`, `/`-separated: what is hashed.
fn relative_key(file: &Path, root: &[String]) -> String {
    let parts = normal(file);
    let below = if parts.starts_with(root) {
        &parts[root.len()..]
    } else {
        &parts[..]
    };
    below.join("/")
}

/// `path` with every `{shard}` replaced by the shard's index; an error
/// naming `flag` when it has the pattern and no shard is given.
pub fn fill(path: &Path, shard: Option<Shard>, flag: &str) -> Result<PathBuf, CliError> {
    let text = path.to_string_lossy();
    if !text.contains(PATTERN) {
        return Ok(path.to_path_buf());
    }
    match shard {
        Some(s) => Ok(PathBuf::from(text.replace(PATTERN, &s.index.to_string()))),
        None => Err(CliError::Shard(format!(
            "{flag} {} names {PATTERN} but no --shard is given",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn shard(index: u32, count: u32) -> Shard {
        Shard { index, count }
    }

    #[test]
    fn parses_index_over_count_and_names_what_is_wrong() {
        assert_eq!(parse_shard("1/3"), Ok(ShardArg::Fixed(shard(1, 3))));
        assert_eq!(parse_shard("auto"), Ok(ShardArg::Auto));
        assert!(
            parse_shard("3/3")
                .unwrap_err()
                .contains("not below the count 3")
        );
        assert!(parse_shard("0/0").unwrap_err().contains("at least 1"));
        assert!(parse_shard("1-3").unwrap_err().contains("I/N"));
        assert!(parse_shard("a/3").unwrap_err().contains("\"a\""));
    }

    #[test]
    fn auto_reads_kubernetes_then_slurm() {
        let k8s = env(&[(K8S_INDEX, "2")]);
        assert_eq!(resolve(ShardArg::Auto, Some(4), &k8s).unwrap(), shard(2, 4));
        let e = resolve(ShardArg::Auto, None, &k8s).unwrap_err();
        assert!(e.to_string().contains("--shards"), "{e}");
        let e = resolve(ShardArg::Auto, Some(2), &k8s).unwrap_err();
        assert!(e.to_string().contains(K8S_INDEX), "{e}");

        let slurm = env(&[(SLURM_ID, "5"), (SLURM_MIN, "3"), (SLURM_COUNT, "4")]);
        assert_eq!(resolve(ShardArg::Auto, None, &slurm).unwrap(), shard(2, 4));
        let stepped = env(&[
            (SLURM_ID, "4"),
            (SLURM_MIN, "0"),
            (SLURM_STEP, "2"),
            (SLURM_COUNT, "3"),
        ]);
        assert_eq!(
            resolve(ShardArg::Auto, None, &stepped).unwrap(),
            shard(2, 3)
        );
        let e = resolve(ShardArg::Auto, Some(9), &slurm).unwrap_err();
        assert!(e.to_string().contains("--shards says 9"), "{e}");
        let e = resolve(ShardArg::Auto, None, env(&[])).unwrap_err();
        assert!(e.to_string().contains("neither is set"), "{e}");
        let bad = env(&[(K8S_INDEX, "x")]);
        let e = resolve(ShardArg::Auto, Some(2), bad).unwrap_err();
        assert!(e.to_string().contains("JOB_COMPLETION_INDEX=\"x\""), "{e}");
        let e = resolve(ShardArg::Fixed(shard(0, 2)), Some(3), env(&[])).unwrap_err();
        assert!(e.to_string().contains("--shards says 3"), "{e}");
    }

    #[test]
    fn every_file_lands_in_exactly_one_shard_whatever_the_order_or_mount() {
        let names: Vec<String> = (0..200)
            .map(|i| format!("disc{}/t{i}.flac", i % 7))
            .collect();
        let under = |root: &str| -> Vec<PathBuf> {
            names.iter().map(|n| Path::new(root).join(n)).collect()
        };
        let (a, b) = (under("/mnt/a/music"), under("/srv/music"));
        let count = 3;
        let mut seen = vec![0; names.len()];
        for index in 0..count {
            let here = select(&a, &[PathBuf::from("/mnt/a/music")], shard(index, count));
            // The same files on another mount, listed in reverse.
            let mut reversed = b.clone();
            reversed.reverse();
            let there = select(
                &reversed,
                &[PathBuf::from("/srv/music")],
                shard(index, count),
            );
            assert_eq!(here.len(), there.len());
            for f in &here {
                let i = a.iter().position(|x| x == f).unwrap();
                seen[i] += 1;
                assert!(there.contains(&b[i]));
            }
            // Balanced within reason: 200 files, 3 shards.
            assert!((45..=90).contains(&here.len()), "{}", here.len());
        }
        assert!(seen.iter().all(|&n| n == 1));
    }

    #[test]
    fn shard_patterns_are_filled_or_refused_without_a_shard() {
        let p = Path::new("/out/shard-{shard}.sqlite");
        assert_eq!(
            fill(p, Some(shard(4, 8)), "--db").unwrap(),
            PathBuf::from("/out/shard-4.sqlite")
        );
        let e = fill(p, None, "--db").unwrap_err().to_string();
        assert!(e.contains("--db") && e.contains("{shard}"), "{e}");
        assert_eq!(
            fill(Path::new("x"), None, "--out").unwrap(),
            PathBuf::from("x")
        );
    }
}
