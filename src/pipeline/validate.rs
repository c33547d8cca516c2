//! Validation: every problem of a document at once, each placed at a line
//! and column of its source where the source is known.

use std::fmt;

use super::document::PipelineDocument;
use super::operation::Operation;
use super::plugin::Installed;
use crate::orchestrator::PlanError;

/// One problem in a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based position in the source, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub col: Option<usize>,
    /// What it concerns, e.g. "node `tempo`" or "config.quality_threshold".
    pub location: String,
    /// What is wrong, for people.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(line), Some(col)) = (self.line, self.col) {
            write!(f, "{line}:{col}: ")?;
        }
        if self.location.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

/// Where to look for a problem in the source text.
enum Anchor<'a> {
    Node(&'a str),
    Field(&'a str, &'a str),
    /// A key of a plugin node's `params` map (written `"name": value`).
    Param(&'a str, &'a str),
    Edge(&'a str, &'a str),
    Config(&'a str),
    None,
}

/// Every problem of `doc`. `source`, when given, places each at a line and
/// column.
pub fn validate(doc: &PipelineDocument, source: Option<&str>) -> Vec<Problem> {
    let mut found = Problems {
        source,
        out: Vec::new(),
    };
    found.nodes_and_edges(doc);
    // Structure: duplicates, cycles, overrides. Unknown dependencies were
    // reported per edge above.
    for problem in doc.plan_spec().problems() {
        found.plan(&problem);
    }
    for problem in doc.config.problems() {
        found.push(
            Anchor::Config(problem.field),
            format!("config.{}", problem.field),
            problem.reason,
        );
    }
    found.out
}

/// Every problem of `doc` (as `validate`) plus its plugin nodes'
/// parameters checked against the installed manifests. A plugin that is
/// not installed is no problem here: the pipeline still loads, and
/// `missing_plugins` says why it cannot run.
pub fn validate_with(
    doc: &PipelineDocument,
    source: Option<&str>,
    plugins: &Installed,
) -> Vec<Problem> {
    let mut found = Problems {
        source,
        out: validate(doc, source),
    };
    for node in &doc.nodes {
        let Operation::Plugin { name, params } = &node.operation else {
            continue;
        };
        let Some(plugin) = plugins.get(name) else {
            continue;
        };
        if let Err(problems) = plugin.resolve_params(params) {
            for (param, message) in problems {
                found.push(
                    Anchor::Param(&node.id, &param),
                    format!("node `{}`", node.id),
                    message,
                );
            }
        }
    }
    found.out
}

/// The plugin nodes whose plugin is not installed (or is broken), each
/// with why: such a pipeline loads and shows them, but refuses to run.
pub fn missing_plugins(
    doc: &PipelineDocument,
    source: Option<&str>,
    plugins: &Installed,
) -> Vec<Problem> {
    missing_plugins_unless(doc, source, plugins, &|_| false)
}

/// As `missing_plugins`, except names `served` says are served otherwise
/// (Rust-written operations of the program running the pipeline).
pub(crate) fn missing_plugins_unless(
    doc: &PipelineDocument,
    source: Option<&str>,
    plugins: &Installed,
    served: &dyn Fn(&str) -> bool,
) -> Vec<Problem> {
    let mut found = Problems {
        source,
        out: Vec::new(),
    };
    for node in &doc.nodes {
        if let Operation::Plugin { name, .. } = &node.operation
            && plugins.get(name).is_none()
            && !served(name)
        {
            found.push(
                Anchor::Node(&node.id),
                format!("node `{}`", node.id),
                plugins.why_missing(name),
            );
        }
    }
    found.out
}

/// Problems found so far, placed in `source` when it is known.
struct Problems<'s> {
    source: Option<&'s str>,
    out: Vec<Problem>,
}

impl Problems<'_> {
    fn push(&mut self, anchor: Anchor<'_>, location: String, message: String) {
        let (line, col) = self
            .source
            .and_then(|s| locate(s, &anchor))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        self.out.push(Problem {
            line,
            col,
            location,
            message,
        });
    }

    /// Empty ids, parameters out of range and edges to unknown nodes.
    fn nodes_and_edges(&mut self, doc: &PipelineDocument) {
        for node in &doc.nodes {
            if node.id.trim().is_empty() {
                self.push(
                    Anchor::None,
                    "node".into(),
                    "an id must not be empty".into(),
                );
            }
            for (param, reason) in node.operation.problems() {
                self.push(
                    Anchor::Field(&node.id, param),
                    format!("node `{}`", node.id),
                    format!("`{param}` {reason}"),
                );
            }
        }
        for edge in &doc.edges {
            for end in [&edge.from, &edge.to] {
                if doc.node(end).is_none() {
                    self.push(
                        Anchor::Edge(&edge.from, &edge.to),
                        format!("edge {} -> {}", edge.from, edge.to),
                        format!("unknown node `{end}`"),
                    );
                }
            }
        }
    }

    /// One structural problem of the compiled plan.
    fn plan(&mut self, problem: &PlanError) {
        match problem {
            PlanError::UnknownDependency { .. } => {}
            PlanError::Empty => self.push(
                Anchor::None,
                String::new(),
                "the pipeline has no nodes".into(),
            ),
            PlanError::DuplicateNode(id) => self.push(
                Anchor::Node(id),
                format!("node `{id}`"),
                "this id is used by more than one node".into(),
            ),
            PlanError::SelfDependency(id) => self.push(
                Anchor::Edge(id, id),
                format!("edge {id} -> {id}"),
                "a node cannot depend on itself".into(),
            ),
            PlanError::Cycle(nodes) => self.push(
                Anchor::Node(nodes.first().map_or("", String::as_str)),
                "edges".into(),
                format!("dependencies form a cycle: {}", nodes.join(" -> ")),
            ),
            PlanError::InvalidOverride {
                node,
                field,
                reason,
            } => self.push(
                Anchor::Field(node, field),
                format!("node `{node}`"),
                format!("override `{field}` {reason}"),
            ),
            PlanError::MissingHandler { node, handler } => self.push(
                Anchor::Node(node),
                format!("node `{node}`"),
                format!("no handler `{handler}`"),
            ),
            PlanError::InvalidConfig(e) => self.push(
                Anchor::None,
                format!("config.{}", e.field),
                e.reason.clone(),
            ),
        }
    }
}

/// Finds the line and column (1-based) an anchor refers to.
fn locate(source: &str, anchor: &Anchor<'_>) -> Option<(usize, usize)> {
    let offset = match anchor {
        Anchor::Node(id) => find_id(source, id),
        Anchor::Field(id, field) => {
            let start = find_id(source, id)?;
            // The field within this node: before the next node's id.
            let rest = &source[start..];
            let end = rest[1..].find("id:").map_or(rest.len(), |i| i + 1);
            find_key(&rest[..end], field)
                .map(|i| start + i)
                .or(Some(start))
        }
        Anchor::Param(id, name) => {
            let start = find_id(source, id)?;
            let rest = &source[start..];
            let end = rest[1..].find("id:").map_or(rest.len(), |i| i + 1);
            rest[..end]
                .find(&format!("\"{name}\""))
                .map(|i| start + i)
                .or(Some(start))
        }
        Anchor::Edge(from, to) => {
            let needle = format!("from: \"{from}\"");
            let mut found = None;
            for (i, _) in source.match_indices(&needle) {
                let tail = &source[i..(i + 200).min(source.len())];
                if tail.contains(&format!("\"{to}\"")) {
                    found = Some(i);
                    break;
                }
            }
            found
        }
        Anchor::Config(field) => {
            let start = find_key(source, "config").unwrap_or(0);
            find_key(&source[start..], field).map(|i| start + i)
        }
        Anchor::None => None,
    }?;
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    Some((line, col))
}

fn find_id(source: &str, id: &str) -> Option<usize> {
    let needle = format!("\"{id}\"");
    source
        .match_indices(&needle)
        .map(|(i, _)| i)
        .find(|&i| !in_comment(source, i) && source[..i].trim_end().ends_with("id:"))
}

/// Whether offset `i` is inside a `//` comment.
fn in_comment(source: &str, i: usize) -> bool {
    let line_start = source[..i].rfind('\n').map_or(0, |n| n + 1);
    source[line_start..i].contains("//")
}

/// Finds `key:` outside comments, as a whole word.
fn find_key(source: &str, key: &str) -> Option<usize> {
    let needle = format!("{key}:");
    source.match_indices(&needle).map(|(i, _)| i).find(|&i| {
        let prev = source[..i].chars().next_back();
        !in_comment(source, i) && !prev.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_ids_fields_and_config_keys() {
        let src = "(\n  // id: \"a\" in a comment\n  nodes: [\n    (id: \"a\", min_bpm: 5),\n  ],\n  config: (quality_threshold: 2.0),\n)";
        assert_eq!(locate(src, &Anchor::Node("a")), Some((4, 10)));
        assert_eq!(locate(src, &Anchor::Field("a", "min_bpm")), Some((4, 15)));
        assert_eq!(
            locate(src, &Anchor::Config("quality_threshold")),
            Some((6, 12))
        );
        assert_eq!(locate(src, &Anchor::Node("zzz")), None);
    }
}
