//! The pipeline document: what users draw, save, share and run. Plain data,
//! our own type (never the editor's internal graph).

use serde::{Deserialize, Serialize};

use super::operation::Operation;
use crate::orchestrator::{NodeOverrides, NodeSpec, PlanSpec, WaveConfig, WaveStage};

/// The file format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A node's id in a document: unique within it, written in files, and
/// what edges, the editor and results name the node by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocNodeId(String);

impl DocNodeId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for DocNodeId {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl From<String> for DocNodeId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&String> for DocNodeId {
    fn from(s: &String) -> Self {
        Self(s.clone())
    }
}

impl From<DocNodeId> for String {
    fn from(id: DocNodeId) -> Self {
        id.0
    }
}

impl std::ops::Deref for DocNodeId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for DocNodeId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for DocNodeId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for DocNodeId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for DocNodeId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for DocNodeId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<DocNodeId> for str {
    fn eq(&self, other: &DocNodeId) -> bool {
        self == other.0
    }
}

impl PartialEq<DocNodeId> for &str {
    fn eq(&self, other: &DocNodeId) -> bool {
        *self == other.0
    }
}

impl PartialEq<DocNodeId> for String {
    fn eq(&self, other: &DocNodeId) -> bool {
        *self == other.0
    }
}

impl std::fmt::Display for DocNodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One stage node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineNode {
    /// Unique within the document; edges refer to it.
    pub id: DocNodeId,
    /// Shown on the canvas.
    pub name: String,
    /// Stage kind it runs as; usually its operation's (`OperationInfo::kind`).
    pub kind: WaveStage,
    /// What it does, with its parameters.
    pub operation: Operation,
    /// Skipped by early termination once an earlier stage is confident.
    #[serde(default)]
    pub refinement: bool,
    /// Per-node replacements of config values; left out of the file when none is set.
    #[serde(default, skip_serializing_if = "is_default_overrides")]
    pub overrides: NodeOverrides,
    /// Canvas position.
    #[serde(default)]
    pub position: (f32, f32),
}

fn is_default_overrides(o: &NodeOverrides) -> bool {
    *o == NodeOverrides::default()
}

/// A dependency: `to` starts after `from` is done.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Id of the node that must be done first.
    pub from: DocNodeId,
    /// Id of the node that waits for it.
    pub to: DocNodeId,
}

impl Edge {
    /// An edge from `from` to `to`.
    pub fn new(from: impl Into<DocNodeId>, to: impl Into<DocNodeId>) -> Self {
        Self {
            from: from.into(),
            to: to.into(),
        }
    }
}

/// A whole pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineDocument {
    /// Always `FORMAT_VERSION` when written by this build.
    pub version: u32,
    /// The pipeline's name, for people.
    pub name: String,
    /// What it is for, in free text; may be empty.
    #[serde(default)]
    pub description: String,
    /// Engine settings for runs of this pipeline.
    #[serde(default)]
    pub config: WaveConfig,
    /// The stage nodes.
    pub nodes: Vec<PipelineNode>,
    /// Dependencies between nodes; a node with none may start at once.
    #[serde(default)]
    pub edges: Vec<Edge>,
}

impl Default for PipelineDocument {
    fn default() -> Self {
        Self {
            version: FORMAT_VERSION,
            name: "Untitled".into(),
            description: String::new(),
            config: WaveConfig::default(),
            nodes: Vec::new(),
            edges: Vec::new(),
        }
    }
}

impl PipelineDocument {
    /// A node by id.
    pub fn node(&self, id: &str) -> Option<&PipelineNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Ids of the nodes `id` depends on, in edge order.
    pub fn dependencies<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.edges
            .iter()
            .filter(move |e| e.to == id)
            .map(|e| e.from.as_str())
    }

    /// An id not used yet, built from `base`.
    pub fn fresh_id(&self, base: &str) -> String {
        let base: String = base
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let base = if base.is_empty() {
            "node".to_string()
        } else {
            base
        };
        if self.node(&base).is_none() {
            return base;
        }
        (2..)
            .map(|i| format!("{base}_{i}"))
            .find(|id| self.node(id).is_none())
            .unwrap_or(base)
    }

    /// Sorts nodes by id and edges by (from, to), so saved files diff cleanly.
    pub fn normalize(&mut self) {
        self.nodes.sort_by(|a, b| a.id.cmp(&b.id));
        self.edges.sort();
        self.edges.dedup();
    }

    /// The orchestrator plan: each node runs a handler registered under its
    /// own id (its operation with its parameters).
    pub fn plan_spec(&self) -> PlanSpec {
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                NodeSpec::new(n.id.clone(), n.kind, handler_name(&n.id))
                    .after(self.dependencies(&n.id).map(str::to_string))
                    .refinement(n.refinement)
                    .with_overrides(n.overrides.clone())
            })
            .collect();
        PlanSpec { nodes }
    }
}

/// The handler name a node's operation is registered under.
pub fn handler_name(node_id: &str) -> String {
    format!("node:{node_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str) -> PipelineNode {
        PipelineNode {
            id: id.into(),
            name: id.into(),
            kind: WaveStage::Preparation,
            operation: Operation::Probe,
            refinement: false,
            overrides: NodeOverrides::default(),
            position: (0.0, 0.0),
        }
    }

    #[test]
    fn fresh_ids_do_not_collide() {
        let mut doc = PipelineDocument::default();
        doc.nodes.push(node("tempo"));
        assert_eq!(doc.fresh_id("Tempo"), "tempo_2");
        assert_eq!(doc.fresh_id("Key (refine)"), "key__refine_");
    }

    #[test]
    fn plan_spec_follows_edges() {
        let mut doc = PipelineDocument::default();
        doc.nodes.extend([node("a"), node("b")]);
        doc.edges.push(Edge::new("a", "b"));
        let spec = doc.plan_spec();
        assert_eq!(spec.nodes[1].depends_on, ["a"]);
        assert_eq!(spec.nodes[1].handler, "node:b");
    }
}
