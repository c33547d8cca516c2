//! Cache keys and lookups: a node's output is reused when its operation,
//! its parameters, everything upstream of it, the file's content and the
//! analysis version are all the same as when it was stored.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;

use super::document::PipelineDocument;
use super::fields;
use super::operation::Operation;
use super::plugin::Installed;
use crate::audio::ANALYSIS_VERSION;
use crate::library::{Library, hash_parts};
use crate::orchestrator::{StageInput, StageOutput};

/// Payload keys a wave carries when the library is on.
pub(crate) const FINGERPRINT: &str = "fingerprint";

/// Each node's key before the file is known: a hash of its operation and
/// parameters, its dependencies' keys and the analysis version. Editing a
/// node changes its key and every key downstream; nothing else changes.
///
/// In progressive mode a stage that reads earlier results sees every stage
/// finished before it started, not only its dependencies: any node that is
/// not downstream of it. Its key then also covers those nodes.
///
/// A plugin node's key also covers its plugin's fingerprint (manifest
/// text, program size and time), so editing a plugin invalidates it.
pub fn node_keys(doc: &PipelineDocument) -> BTreeMap<String, String> {
    node_keys_with(doc, &Installed::discover())
}

/// As `node_keys`, with plugin nodes keyed by the plugins in `plugins`.
pub fn node_keys_with(doc: &PipelineDocument, plugins: &Installed) -> BTreeMap<String, String> {
    let base = merkle_keys(doc, plugins, &BTreeMap::new());
    if !doc.config.progressive_mode {
        return base;
    }
    let extra: BTreeMap<String, Vec<String>> = doc
        .nodes
        .iter()
        .filter(|n| n.operation.info().reads_prior)
        .map(|n| {
            let below = downstream(doc, &n.id);
            let visible = base
                .iter()
                .filter(|(id, _)| !below.contains(id.as_str()))
                .map(|(_, k)| k.clone())
                .collect();
            (n.id.to_string(), visible)
        })
        .collect();
    merkle_keys(doc, plugins, &extra)
}

/// Keys from operations and dependencies (plus `extra` parts per node),
/// dependencies first. A node in a cycle gets none and is never cached.
fn merkle_keys(
    doc: &PipelineDocument,
    plugins: &Installed,
    extra: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, String> {
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let version = ANALYSIS_VERSION.to_le_bytes();
    for _ in 0..doc.nodes.len() {
        for node in &doc.nodes {
            if keys.contains_key(node.id.as_str()) {
                continue;
            }
            let deps: Option<Vec<&String>> =
                doc.dependencies(&node.id).map(|d| keys.get(d)).collect();
            let Some(mut deps) = deps else { continue };
            deps.sort();
            let op = ron::to_string(&node.operation).unwrap_or_default();
            let mut parts: Vec<&[u8]> = vec![b"wave-studio node", &version, op.as_bytes()];
            // Only plugin nodes get the part: built-in keys stay as stored.
            if let Operation::Plugin { name, .. } = &node.operation {
                let plugin = plugins.get(name);
                parts.push(plugin.map_or(&b"not installed"[..], |p| p.fingerprint.as_bytes()));
            }
            parts.extend(deps.iter().map(|d| d.as_bytes()));
            parts.push(b"visible");
            parts.extend(
                extra
                    .get(node.id.as_str())
                    .into_iter()
                    .flatten()
                    .map(String::as_bytes),
            );
            keys.insert(node.id.to_string(), hash_parts(parts));
        }
    }
    keys
}

/// `id` and every node downstream of it.
fn downstream<'a>(doc: &'a PipelineDocument, id: &'a str) -> BTreeSet<&'a str> {
    let mut below = BTreeSet::from([id]);
    for _ in 0..doc.nodes.len() {
        for e in &doc.edges {
            if below.contains(e.from.as_str()) {
                below.insert(e.to.as_str());
            }
        }
    }
    below
}

/// A node's key for one file.
pub fn cache_key(node_key: &str, fingerprint: &str) -> String {
    hash_parts([node_key.as_bytes(), fingerprint.as_bytes()])
}

/// The fingerprint a wave carries, when the library is on.
pub(crate) fn wave_fingerprint(input: &StageInput) -> Option<&str> {
    input.input.payload.get(FINGERPRINT).and_then(Value::as_str)
}

/// One node's view of the store.
#[derive(Clone)]
pub struct NodeCache {
    library: Arc<Library>,
    node_key: String,
}

impl NodeCache {
    /// The cache of the node with key `node_key`.
    pub fn new(library: Arc<Library>, node_key: String) -> Self {
        Self { library, node_key }
    }

    /// The library.
    pub(crate) fn library(&self) -> &Arc<Library> {
        &self.library
    }

    /// This node's key for the wave's file, if the wave has a fingerprint.
    pub(crate) fn key(&self, input: &StageInput) -> Option<String> {
        wave_fingerprint(input).map(|fp| cache_key(&self.node_key, fp))
    }

    /// The stored output for this wave's file, marked as cached. Any
    /// failure to read or parse is a miss: the node simply runs.
    pub(crate) fn lookup(&self, input: &StageInput) -> Option<StageOutput> {
        let key = self.key(input)?;
        let text = self.library.node_output(&key).ok()??;
        let mut out: StageOutput = serde_json::from_str(&text).ok()?;
        // Its series are stored beside it; unreadable ones are left out.
        out.series = self
            .library
            .node_series(&key)
            .unwrap_or_default()
            .into_iter()
            .map(|(kind, data)| (kind, data.into()))
            .collect();
        // The stored output may name the file where it was first analysed:
        // a moved file is the same content under the wave's own path.
        if out.values.contains_key(fields::FILE)
            && let Some(path) = input.input.payload.get("path")
        {
            out.values.insert(fields::FILE.to_string(), path.clone());
        }
        Some(out.from_cache())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Operation, default_document};

    #[test]
    fn editing_one_node_changes_it_and_its_descendants_only() {
        let doc = default_document().unwrap();
        let before = node_keys(&doc);
        assert_eq!(before.len(), doc.nodes.len());
        let mut edited = doc.clone();
        let tempo = edited
            .nodes
            .iter_mut()
            .find(|n| matches!(n.operation, Operation::Tempo { .. }))
            .unwrap();
        if let Operation::Tempo { max_bpm, .. } = &mut tempo.operation {
            *max_bpm -= 10.0;
        }
        let tempo_id = tempo.id.to_string();
        let after = node_keys(&edited);
        let mut downstream = std::collections::BTreeSet::from([tempo_id.clone()]);
        for _ in 0..doc.nodes.len() {
            for e in &doc.edges {
                if downstream.contains(e.from.as_str()) {
                    downstream.insert(e.to.to_string());
                }
            }
        }
        for (id, key) in &before {
            assert_eq!(key != &after[id], downstream.contains(id), "node {id}");
        }
        // Moving a node on the canvas or renaming it changes nothing.
        let mut moved = doc.clone();
        moved.nodes[0].position = (999.0, 1.0);
        moved.nodes[0].name = "Renamed".into();
        assert_eq!(node_keys(&moved), before);
        assert_ne!(
            cache_key(&before[&tempo_id], "a"),
            cache_key(&before[&tempo_id], "b")
        );
    }

    #[test]
    fn in_progressive_mode_a_reader_of_earlier_results_covers_parallel_nodes() {
        use crate::pipeline::{Edge, KeyNotation, KeyProfileChoice, PipelineNode};
        let node = |id: &str, operation: Operation| PipelineNode {
            id: id.into(),
            name: id.into(),
            kind: operation.info().kind,
            operation,
            refinement: false,
            overrides: Default::default(),
            position: (0.0, 0.0),
        };
        let key = |profile| Operation::Key {
            refine: false,
            profile,
        };
        let mut doc = PipelineDocument {
            nodes: vec![
                node("key", key(KeyProfileChoice::Auto)),
                node(
                    "notation",
                    Operation::Notation {
                        key_notation: KeyNotation::Camelot,
                        bpm_decimals: 1,
                    },
                ),
                node("spectral", Operation::Spectral),
            ],
            // `key` runs beside `notation`'s dependency, not before it.
            edges: vec![Edge::new("spectral", "notation")],
            ..PipelineDocument::default()
        };
        let mut edited = doc.clone();
        edited.nodes[0].operation = key(KeyProfileChoice::Temperley);
        for progressive in [false, true] {
            doc.config.progressive_mode = progressive;
            edited.config.progressive_mode = progressive;
            let (a, b) = (node_keys(&doc), node_keys(&edited));
            assert_ne!(a["key"], b["key"]);
            assert_eq!(a["spectral"], b["spectral"]);
            assert_eq!(a["notation"] != b["notation"], progressive);
        }
    }
}
