//! Plans: a DAG of stage nodes. A `PlanSpec` is raw; a `Plan` is compiled
//! and cannot hold a cycle, a dangling edge or a missing handler.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::batcher::Batcher;
use super::config::{RETRIES_BOUNDS, TIMEOUT_BOUNDS, WaveConfig};
use super::gate::StageGate;
use super::handler::StageHandler;
use super::ids::NodeId;
use super::stage::WaveStage;

/// Per-node overrides of `WaveConfig` values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodeOverrides {
    /// Replaces `stage_timeout_seconds` for this node; within the same
    /// bounds (`TIMEOUT_BOUNDS`).
    pub timeout_seconds: Option<f64>,
    /// Replaces `max_retries_per_stage` for this node; within the same
    /// bounds (`RETRIES_BOUNDS`).
    pub max_retries: Option<u32>,
    /// Replaces `max_parallel_items_per_stage` for this node; within that
    /// field's bounds.
    pub max_parallel: Option<usize>,
}

/// One stage node, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSpec {
    /// Unique within the plan; `depends_on` refers to it.
    pub id: String,
    /// Its stage kind; nodes of a kind not in `enabled_stages` are skipped.
    pub kind: WaveStage,
    /// Name of a registered handler.
    pub handler: String,
    /// Ids of nodes that must be done (completed or skipped) first.
    pub depends_on: Vec<String>,
    /// Skipped by early termination on quality.
    pub refinement: bool,
    /// Per-node replacements of config values.
    pub overrides: NodeOverrides,
}

impl NodeSpec {
    /// A node with no dependencies, not a refinement.
    pub fn new(id: impl Into<String>, kind: WaveStage, handler: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            kind,
            handler: handler.into(),
            depends_on: Vec::new(),
            refinement: false,
            overrides: NodeOverrides::default(),
        }
    }

    /// Adds dependencies.
    pub fn after<S: Into<String>>(mut self, deps: impl IntoIterator<Item = S>) -> Self {
        self.depends_on.extend(deps.into_iter().map(Into::into));
        self
    }

    /// Marks the node as a refinement.
    pub fn refinement(mut self, on: bool) -> Self {
        self.refinement = on;
        self
    }

    /// Sets overrides.
    pub fn with_overrides(mut self, overrides: NodeOverrides) -> Self {
        self.overrides = overrides;
        self
    }
}

/// A plan as written: nodes and their dependencies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanSpec {
    /// The nodes; `depends_on` sets the order they run in.
    pub nodes: Vec<NodeSpec>,
}

impl PlanSpec {
    /// The seed's plan: one node per kind, in order, each depending on the
    /// one before; node ids and handler names are the kinds' names. The
    /// analysis kinds (initial, feature, deep) are refinements.
    pub fn default_plan() -> Self {
        let mut nodes = Vec::new();
        let mut prev: Option<&str> = None;
        for kind in WaveStage::ALL {
            let refinement = matches!(
                kind,
                WaveStage::InitialAnalysis | WaveStage::FeatureExtraction | WaveStage::DeepAnalysis
            );
            nodes.push(
                NodeSpec::new(kind.name(), kind, kind.name())
                    .after(prev)
                    .refinement(refinement),
            );
            prev = Some(kind.name());
        }
        Self { nodes }
    }
}

/// A reason a plan cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// No nodes at all.
    #[error("the plan has no nodes")]
    Empty,
    /// Two nodes share this id.
    #[error("node id `{0}` is used more than once")]
    DuplicateNode(String),
    /// A node depends on an id no node has.
    #[error("node `{node}` depends on unknown node `{dependency}`")]
    UnknownDependency {
        /// The node with the bad dependency.
        node: String,
        /// The id that matches no node.
        dependency: String,
    },
    /// A node lists itself in `depends_on`.
    #[error("node `{0}` depends on itself")]
    SelfDependency(String),
    /// Dependencies form a cycle: the node ids along it.
    #[error("dependencies form a cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// A node names a handler that is not registered.
    #[error("node `{node}` uses handler `{handler}`, which is not registered")]
    MissingHandler {
        /// The node.
        node: String,
        /// The handler name it asked for.
        handler: String,
    },
    /// A node's override is out of range.
    #[error("node `{node}`: invalid override `{field}`: {reason}")]
    InvalidOverride {
        /// The node.
        node: String,
        /// The override's field name, e.g. `max_retries`.
        field: &'static str,
        /// The valid range and the value given.
        reason: String,
    },
    /// The config a plan was built with is invalid.
    #[error("{0}")]
    InvalidConfig(super::config::ConfigError),
}

/// Every reason a plan cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct PlanErrors(pub Vec<PlanError>);

/// A compiled node.
pub(crate) struct CompiledNode {
    pub id: NodeId,
    pub kind: WaveStage,
    pub handler: StageHandler,
    pub deps: Vec<usize>,
    pub dependents: Vec<usize>,
    pub refinement: bool,
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
    pub gate: Arc<StageGate>,
    pub batcher: Option<Arc<Batcher>>,
}

/// A validated plan, ready to run. Cheap to clone; its concurrency limits
/// are shared by every wave and batch that runs it.
#[derive(Clone)]
pub struct Plan {
    pub(crate) nodes: Arc<[CompiledNode]>,
    pub(crate) roots: Arc<[usize]>,
    /// The plan's own config, when it was built with one
    /// ([`super::WaveOrchestrator::plan_with_config`]): two pipelines then
    /// share one engine (and one machine) yet each keeps its own gates.
    pub(crate) config: Option<Arc<WaveConfig>>,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.nodes.iter().map(|n| n.id.as_str()))
            .finish()
    }
}

impl Plan {
    /// The config waves of this plan follow: its own, else `engine`'s.
    pub(crate) fn config_or<'a>(&'a self, engine: &'a WaveConfig) -> &'a WaveConfig {
        self.config.as_deref().unwrap_or(engine)
    }

    /// Node ids in plan order.
    pub fn node_ids(&self) -> impl Iterator<Item = &NodeId> {
        self.nodes.iter().map(|n| &n.id)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the plan has no nodes (never true for a built plan).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Attempts of a node running now, over every wave and batch.
    pub fn running(&self, node: &str) -> Option<usize> {
        self.nodes
            .iter()
            .find(|n| n.id.as_str() == node)
            .map(|n| n.gate.running())
    }

    /// Effective concurrency limit of a node now (after adaptive scaling).
    pub fn effective_concurrency(&self, node: &str) -> Option<usize> {
        self.nodes
            .iter()
            .find(|n| n.id.as_str() == node)
            .map(|n| n.gate.limit())
    }
}

impl PlanSpec {
    /// Every structural problem (no nodes, duplicate ids, unknown or self
    /// dependencies, cycles, invalid overrides), without looking at handlers.
    pub fn problems(&self) -> Vec<PlanError> {
        self.resolve().1
    }

    /// Dependency indices per node, and every structural problem.
    fn resolve(&self) -> (Vec<Vec<usize>>, Vec<PlanError>) {
        let mut errors = Vec::new();
        if self.nodes.is_empty() {
            errors.push(PlanError::Empty);
        }
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if index.insert(node.id.as_str(), i).is_some() {
                errors.push(PlanError::DuplicateNode(node.id.clone()));
            }
        }
        let mut deps: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (i, node) in self.nodes.iter().enumerate() {
            for dep in &node.depends_on {
                match index.get(dep.as_str()) {
                    Some(&j) if j == i => errors.push(PlanError::SelfDependency(node.id.clone())),
                    Some(&j) => {
                        if !deps[i].contains(&j) {
                            deps[i].push(j);
                        }
                    }
                    None => errors.push(PlanError::UnknownDependency {
                        node: node.id.clone(),
                        dependency: dep.clone(),
                    }),
                }
            }
            errors.extend(override_problems(node));
        }
        if let Some(cycle) = find_cycle(&deps) {
            errors.push(PlanError::Cycle(
                cycle.iter().map(|&i| self.nodes[i].id.clone()).collect(),
            ));
        }
        (deps, errors)
    }
}

/// Checks structure and resolves handlers; `make_parts` adds the runtime parts.
pub(crate) fn compile(
    spec: &PlanSpec,
    handlers: &HashMap<String, StageHandler>,
    mut make_parts: impl FnMut(&NodeSpec, &StageHandler) -> (Arc<StageGate>, Option<Arc<Batcher>>),
) -> Result<Plan, PlanErrors> {
    let (mut deps, mut errors) = spec.resolve();
    for node in &spec.nodes {
        if !handlers.contains_key(&node.handler) {
            errors.push(PlanError::MissingHandler {
                node: node.id.clone(),
                handler: node.handler.clone(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(PlanErrors(errors));
    }

    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); spec.nodes.len()];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    let mut nodes = Vec::with_capacity(spec.nodes.len());
    for (i, node) in spec.nodes.iter().enumerate() {
        let Some(handler) = handlers.get(&node.handler) else {
            return Err(PlanErrors(vec![PlanError::MissingHandler {
                node: node.id.clone(),
                handler: node.handler.clone(),
            }]));
        };
        let (gate, batcher) = make_parts(node, handler);
        nodes.push(CompiledNode {
            id: NodeId::from(node.id.as_str()),
            kind: node.kind,
            handler: handler.clone(),
            deps: std::mem::take(&mut deps[i]),
            dependents: std::mem::take(&mut dependents[i]),
            refinement: node.refinement,
            timeout: node.overrides.timeout_seconds.map(Duration::from_secs_f64),
            max_retries: node.overrides.max_retries,
            gate,
            batcher,
        });
    }
    let roots = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.deps.is_empty())
        .map(|(i, _)| i)
        .collect();
    Ok(Plan {
        nodes: nodes.into(),
        roots,
        config: None,
    })
}

fn override_problems(node: &NodeSpec) -> Vec<PlanError> {
    let o = &node.overrides;
    let parallel = WaveConfig::bounds("max_parallel_items_per_stage");
    #[allow(
        clippy::cast_precision_loss,
        reason = "compared with bounds far below 2^52"
    )]
    let checks = [
        ("timeout_seconds", o.timeout_seconds, Some(TIMEOUT_BOUNDS)),
        (
            "max_retries",
            o.max_retries.map(f64::from),
            Some(RETRIES_BOUNDS),
        ),
        ("max_parallel", o.max_parallel.map(|p| p as f64), parallel),
    ];
    checks
        .into_iter()
        .filter_map(|(field, value, bounds)| {
            let reason = bounds?.check(value?).err()?;
            Some(PlanError::InvalidOverride {
                node: node.id.clone(),
                field,
                reason,
            })
        })
        .collect()
}

/// Returns the nodes of one cycle, first node repeated at the end.
fn find_cycle(deps: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark = vec![Mark::New; deps.len()];
    for start in 0..deps.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative DFS: (node, next dependency to visit).
        let mut stack = vec![(start, 0usize)];
        mark[start] = Mark::OnPath;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&dep) = deps[node].get(*next) {
                *next += 1;
                match mark[dep] {
                    Mark::New => {
                        mark[dep] = Mark::OnPath;
                        stack.push((dep, 0));
                    }
                    Mark::OnPath => {
                        let from = stack.iter().position(|&(n, _)| n == dep).unwrap_or(0);
                        // The path runs from dependents to dependencies; show
                        // it in run order (dependency first).
                        let mut cycle: Vec<usize> = stack[from..].iter().map(|&(n, _)| n).collect();
                        cycle.reverse();
                        cycle.push(cycle[0]);
                        return Some(cycle);
                    }
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_share_the_configs_bounds() {
        let node =
            |o: NodeOverrides| NodeSpec::new("n", WaveStage::Preparation, "h").with_overrides(o);
        let too_many = node(NodeOverrides {
            max_parallel: Some(99_999_999_999),
            ..NodeOverrides::default()
        });
        let problems = override_problems(&too_many);
        assert!(
            matches!(&problems[..], [PlanError::InvalidOverride { field: "max_parallel", reason, .. }] if reason.contains("1..=10000")),
            "{problems:?}"
        );
        let long = node(NodeOverrides {
            timeout_seconds: Some(1e9),
            ..NodeOverrides::default()
        });
        assert_eq!(override_problems(&long).len(), 1);
        assert!(override_problems(&node(NodeOverrides::default())).is_empty());
    }

    #[test]
    fn finds_a_cycle_and_names_its_nodes() {
        // 0 <- 1 <- 2 <- 1 (1 and 2 depend on each other), 3 independent.
        let deps = vec![vec![], vec![0, 2], vec![1], vec![]];
        let cycle = find_cycle(&deps).unwrap();
        assert_eq!(cycle.first(), cycle.last());
        let mut inner = cycle[..cycle.len() - 1].to_vec();
        inner.sort();
        assert_eq!(inner, [1, 2]);
    }

    #[test]
    fn a_dag_has_no_cycle() {
        let deps = vec![vec![], vec![0], vec![0], vec![1, 2]];
        assert_eq!(find_cycle(&deps), None);
    }

    #[test]
    fn default_plan_is_a_chain_of_seven() {
        let spec = PlanSpec::default_plan();
        assert_eq!(spec.nodes.len(), 7);
        assert!(spec.nodes[0].depends_on.is_empty());
        for pair in spec.nodes.windows(2) {
            assert_eq!(pair[1].depends_on, vec![pair[0].id.clone()]);
        }
        let refinements: Vec<_> = spec
            .nodes
            .iter()
            .filter(|n| n.refinement)
            .map(|n| n.kind)
            .collect();
        assert_eq!(
            refinements,
            [
                WaveStage::InitialAnalysis,
                WaveStage::FeatureExtraction,
                WaveStage::DeepAnalysis
            ]
        );
    }
}
