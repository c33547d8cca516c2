//! The pipeline document ⇄ the editor's graph (egui-snarl). The document is
//! the source of truth: the graph is rebuilt from it after every edit, and
//! read back only for what the canvas changes (positions, wires).

use egui::Pos2;
use egui_snarl::{InPinId, NodeId, OutPinId, Snarl};

use crate::pipeline::{Edge, PipelineDocument};

/// What a graph node holds: the id of its document node. Everything else
/// (name, kind, operation) is read from the document when drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    /// The document node's id.
    pub id: String,
}

/// Every node has one input pin (its dependencies) and one output pin (its
/// dependents).
pub const DEP_PIN: usize = 0;

/// Builds the editor graph of `doc`: one node per document node, in
/// document order, one wire per edge.
pub fn to_graph(doc: &PipelineDocument) -> Snarl<GraphNode> {
    let mut snarl = Snarl::new();
    let mut ids = std::collections::HashMap::new();
    for node in &doc.nodes {
        let pos = Pos2::new(node.position.0, node.position.1);
        let id = snarl.insert_node(
            pos,
            GraphNode {
                id: node.id.clone(),
            },
        );
        ids.insert(node.id.as_str(), id);
    }
    for edge in &doc.edges {
        if let (Some(&from), Some(&to)) = (ids.get(edge.from.as_str()), ids.get(edge.to.as_str())) {
            snarl.connect(
                OutPinId {
                    node: from,
                    output: DEP_PIN,
                },
                InPinId {
                    node: to,
                    input: DEP_PIN,
                },
            );
        }
    }
    snarl
}

/// The document node id of a graph node.
pub fn doc_id(snarl: &Snarl<GraphNode>, node: NodeId) -> Option<&str> {
    snarl.get_node(node).map(|n| n.id.as_str())
}

/// Reads the graph back into a copy of `base`: node positions and the set
/// of edges. Edges that already existed keep their order; new ones follow,
/// sorted; nodes missing from the graph are dropped. Nothing else changes,
/// so `from_graph(&to_graph(d), d) == *d`.
pub fn from_graph(snarl: &Snarl<GraphNode>, base: &PipelineDocument) -> PipelineDocument {
    let mut doc = base.clone();
    let positions: std::collections::HashMap<&str, Pos2> = snarl
        .nodes_pos()
        .map(|(pos, n)| (n.id.as_str(), pos))
        .collect();
    doc.nodes.retain(|n| positions.contains_key(n.id.as_str()));
    for node in &mut doc.nodes {
        if let Some(pos) = positions.get(node.id.as_str()) {
            node.position = (pos.x, pos.y);
        }
    }
    let mut wires: Vec<Edge> = snarl
        .wires()
        .filter_map(|(out, inp)| {
            Some(Edge::new(
                doc_id(snarl, out.node)?,
                doc_id(snarl, inp.node)?,
            ))
        })
        .collect();
    wires.sort();
    wires.dedup();
    let mut edges: Vec<Edge> = doc
        .edges
        .iter()
        .filter(|e| wires.binary_search(e).is_ok())
        .cloned()
        .collect();
    for wire in wires {
        if !edges.contains(&wire) {
            edges.push(wire);
        }
    }
    doc.edges = edges;
    doc
}

/// Whether adding `from → to` to `doc` would close a cycle; if so, the
/// path `to … from` that already exists, for the refusal message.
pub fn cycle_path(doc: &PipelineDocument, from: &str, to: &str) -> Option<Vec<String>> {
    if from == to {
        return Some(vec![from.to_string()]);
    }
    // Depth-first search from `to` along existing edges looking for `from`.
    let mut stack = vec![vec![to.to_string()]];
    let mut seen = std::collections::HashSet::new();
    while let Some(path) = stack.pop() {
        let Some(last) = path.last() else { continue };
        if last == from {
            return Some(path);
        }
        if !seen.insert(last.clone()) {
            continue;
        }
        for edge in doc.edges.iter().filter(|e| &e.from == last) {
            let mut next = path.clone();
            next.push(edge.to.clone());
            stack.push(next);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_lossless() {
        for source in [
            crate::pipeline::DEFAULT_PIPELINE,
            include_str!("../../pipelines/dj-tempo-key.ron"),
            include_str!("../../pipelines/loudness-qa.ron"),
        ] {
            let doc = crate::pipeline::parse(source, std::path::Path::new("t.ron")).unwrap();
            let graph = to_graph(&doc);
            assert_eq!(graph.node_ids().count(), doc.nodes.len());
            assert_eq!(graph.wires().count(), doc.edges.len());
            assert_eq!(from_graph(&graph, &doc), doc);
        }
    }

    #[test]
    fn graph_edits_come_back() {
        let doc = crate::pipeline::default_document().unwrap();
        let mut graph = to_graph(&doc);
        let first = graph.node_ids().next().map(|(id, _)| id).unwrap();
        graph.remove_node(first);
        let back = from_graph(&graph, &doc);
        assert_eq!(back.nodes.len(), doc.nodes.len() - 1);
        assert!(back.edges.iter().all(|e| e.from != doc.nodes[0].id));
    }

    #[test]
    fn cycles_are_found() {
        let doc = crate::pipeline::default_document().unwrap();
        let path = cycle_path(&doc, "write", "probe").unwrap();
        assert_eq!(path.first().map(String::as_str), Some("probe"));
        assert_eq!(path.last().map(String::as_str), Some("write"));
        assert!(cycle_path(&doc, "probe", "write").is_none());
        assert!(cycle_path(&doc, "tempo", "tempo").is_some());
    }
}
