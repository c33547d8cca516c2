//! The pipeline document → the editor's graph (egui-snarl). The document is
//! the source of truth: the graph is rebuilt from it after every edit; what
//! the canvas changes (positions, wires) comes back as commands.

use egui::Pos2;
use egui_snarl::{InPinId, NodeId, OutPinId, Snarl};

use crate::pipeline::PipelineDocument;

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
                id: node.id.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Edge;

    #[test]
    fn one_node_per_document_node_and_one_wire_per_edge() {
        for source in [
            crate::pipeline::DEFAULT_PIPELINE,
            include_str!("../../../pipelines/dj-tempo-key.ron"),
            include_str!("../../../pipelines/loudness-qa.ron"),
        ] {
            let doc = crate::pipeline::parse(source, std::path::Path::new("t.ron")).unwrap();
            let graph = to_graph(&doc);
            let ids: Vec<&str> = graph.nodes().map(|n| n.id.as_str()).collect();
            let doc_ids: Vec<&str> = doc.nodes.iter().map(|n| n.id.as_str()).collect();
            assert_eq!(ids, doc_ids);
            let mut wires: Vec<Edge> = graph
                .wires()
                .map(|(out, inp)| {
                    Edge::new(
                        doc_id(&graph, out.node).unwrap(),
                        doc_id(&graph, inp.node).unwrap(),
                    )
                })
                .collect();
            let mut edges = doc.edges.clone();
            wires.sort();
            edges.sort();
            assert_eq!(wires, edges);
            for (pos, n) in graph.nodes_pos() {
                let p = doc.node(&n.id).unwrap().position;
                assert_eq!((pos.x, pos.y), p);
            }
        }
    }
}
