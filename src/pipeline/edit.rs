//! Edits of a `PipelineDocument`: add, remove, duplicate, move, connect,
//! disconnect and rename nodes. The editor applies these and nothing else,
//! so every rule (unique ids, no dangling edge, no cycle) lives here, below
//! the GUI.

use crate::orchestrator::{PlanError, WaveStage};

use super::document::{Edge, PipelineDocument, PipelineNode};
use super::operation::Operation;

/// How far a duplicate lands from its original on the canvas.
const DUPLICATE_OFFSET: (f32, f32) = (40.0, 60.0);

/// Why an edit was refused. The document is unchanged when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The edit names a node the document does not have.
    #[error("there is no node `{0}`")]
    UnknownNode(String),
    /// A dependency from a node to itself.
    #[error("`{0}` cannot depend on itself")]
    SelfDependency(String),
    /// The new dependency would close a cycle; `cycle` lists it in run
    /// order, its first node repeated at the end.
    #[error("`{from}` → `{to}` would make a cycle: {}", cycle.join(" → "))]
    Cycle {
        /// The dependency asked for.
        from: String,
        /// The dependent asked for.
        to: String,
        /// The cycle the edge would close.
        cycle: Vec<String>,
    },
    /// The edge to remove is not in the document.
    #[error("`{from}` → `{to}` is not a dependency")]
    UnknownEdge {
        /// The dependency named.
        from: String,
        /// The dependent named.
        to: String,
    },
}

impl PipelineDocument {
    /// Adds a node running `operation` at `position`, with a fresh id made
    /// from the operation's name and its usual refinement flag; returns the
    /// id.
    pub fn add_node(
        &mut self,
        kind: WaveStage,
        operation: Operation,
        position: (f32, f32),
    ) -> String {
        let info = operation.info();
        // A plugin node is named for its plugin, a built-in for its kind.
        let base = match &operation {
            Operation::Plugin { name, .. } => name.clone(),
            _ => info.name.to_ascii_lowercase(),
        };
        let id = self.fresh_id(&base);
        self.nodes.push(PipelineNode {
            id: id.clone().into(),
            name: operation.label(),
            kind,
            operation,
            refinement: info.refinement,
            overrides: Default::default(),
            position,
        });
        id
    }

    /// Removes node `id` and every edge to or from it; returns the node.
    pub fn remove_node(&mut self, id: &str) -> Result<PipelineNode, EditError> {
        let index = self.index_of(id)?;
        self.edges.retain(|e| e.from != id && e.to != id);
        Ok(self.nodes.remove(index))
    }

    /// Copies node `id` (without its edges) next to it, under a fresh id
    /// from the same stem (`write_2` duplicates to `write_3`, not
    /// `write_2_2`); returns the new id.
    pub fn duplicate_node(&mut self, id: &str) -> Result<String, EditError> {
        let node = self.nodes[self.index_of(id)?].clone();
        let stem = node
            .id
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end_matches('_');
        let copy = PipelineNode {
            id: self.fresh_id(stem).into(),
            name: format!("{} (copy)", node.name),
            position: (
                node.position.0 + DUPLICATE_OFFSET.0,
                node.position.1 + DUPLICATE_OFFSET.1,
            ),
            ..node
        };
        let new_id = copy.id.clone();
        self.nodes.push(copy);
        Ok(new_id.into())
    }

    /// Moves node `id` on the canvas.
    pub fn move_node(&mut self, id: &str, position: (f32, f32)) -> Result<(), EditError> {
        let index = self.index_of(id)?;
        self.nodes[index].position = position;
        Ok(())
    }

    /// Moves several nodes as one edit: either every id is known and all
    /// move, or nothing changes.
    pub fn move_nodes(&mut self, moves: &[(String, (f32, f32))]) -> Result<(), EditError> {
        for (id, _) in moves {
            self.index_of(id)?;
        }
        moves
            .iter()
            .try_for_each(|(id, position)| self.move_node(id, *position))
    }

    /// Sets the display name of node `id`.
    pub fn rename_node(&mut self, id: &str, name: impl Into<String>) -> Result<(), EditError> {
        let index = self.index_of(id)?;
        self.nodes[index].name = name.into();
        Ok(())
    }

    /// Replaces the node with the same id as `node` (an inspector edit of
    /// its kind, operation, parameters or overrides).
    pub fn replace_node(&mut self, node: PipelineNode) -> Result<(), EditError> {
        let index = self.index_of(&node.id)?;
        self.nodes[index] = node;
        Ok(())
    }

    /// Makes `to` run after `from`, unless a node is unknown or the edge
    /// would close a cycle. Returns whether the edge is new (an existing
    /// one is left as it is).
    pub fn connect(&mut self, from: &str, to: &str) -> Result<bool, EditError> {
        self.index_of(from)?;
        self.index_of(to)?;
        if from == to {
            return Err(EditError::SelfDependency(from.to_string()));
        }
        let edge = Edge::new(from, to);
        if self.edges.contains(&edge) {
            return Ok(false);
        }
        self.edges.push(edge);
        // The plan's own cycle search decides, so the editor and the engine
        // can never disagree about what a cycle is.
        let cycle = self
            .plan_spec()
            .problems()
            .into_iter()
            .find_map(|p| match p {
                PlanError::Cycle(nodes) => Some(nodes),
                _ => None,
            });
        if let Some(cycle) = cycle {
            self.edges.pop();
            return Err(EditError::Cycle {
                from: from.to_string(),
                to: to.to_string(),
                cycle,
            });
        }
        Ok(true)
    }

    /// Removes the dependency `from → to`.
    pub fn disconnect(&mut self, from: &str, to: &str) -> Result<(), EditError> {
        let edge = Edge::new(from, to);
        let before = self.edges.len();
        self.edges.retain(|e| *e != edge);
        if self.edges.len() == before {
            return Err(EditError::UnknownEdge {
                from: from.to_string(),
                to: to.to_string(),
            });
        }
        Ok(())
    }

    fn index_of(&self, id: &str) -> Result<usize, EditError> {
        self.nodes
            .iter()
            .position(|n| n.id == id)
            .ok_or_else(|| EditError::UnknownNode(id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_doc() -> PipelineDocument {
        crate::pipeline::default_document().unwrap()
    }

    #[test]
    fn add_node_takes_a_fresh_id_and_the_operation_defaults() {
        let mut doc = PipelineDocument::default();
        let op = Operation::catalog()
            .into_iter()
            .find(|op| op.info().name == "Write")
            .unwrap();
        let first = doc.add_node(WaveStage::Finalization, op.clone(), (1.0, 2.0));
        let second = doc.add_node(WaveStage::Finalization, op.clone(), (3.0, 4.0));
        assert_eq!((first.as_str(), second.as_str()), ("write", "write_2"));
        let node = doc.node("write_2").unwrap();
        assert_eq!(node.position, (3.0, 4.0));
        assert_eq!(node.name, op.label());
        assert_eq!(node.refinement, op.info().refinement);
    }

    #[test]
    fn remove_node_takes_its_edges_with_it() {
        let mut doc = default_doc();
        assert!(
            doc.edges
                .iter()
                .any(|e| e.from == "tempo" || e.to == "tempo")
        );
        let removed = doc.remove_node("tempo").unwrap();
        assert_eq!(removed.id, "tempo");
        assert!(doc.node("tempo").is_none());
        assert!(
            doc.edges
                .iter()
                .all(|e| e.from != "tempo" && e.to != "tempo")
        );
        assert_eq!(
            doc.remove_node("tempo"),
            Err(EditError::UnknownNode("tempo".into()))
        );
    }

    #[test]
    fn duplicate_continues_the_numbering_and_offsets_the_copy() {
        let mut doc = default_doc();
        let first = doc.duplicate_node("write").unwrap();
        let second = doc.duplicate_node(&first).unwrap();
        assert_eq!((first.as_str(), second.as_str()), ("write_2", "write_3"));
        let (orig, copy) = (doc.node("write").unwrap(), doc.node("write_2").unwrap());
        assert_eq!(copy.name, format!("{} (copy)", orig.name));
        assert_eq!(copy.operation, orig.operation);
        assert_eq!(
            copy.position,
            (orig.position.0 + 40.0, orig.position.1 + 60.0)
        );
        assert!(
            doc.dependencies("write_2").next().is_none(),
            "no edges copied"
        );
        assert!(doc.duplicate_node("nope").is_err());
    }

    #[test]
    fn move_and_rename_change_one_node() {
        let mut doc = default_doc();
        let before = doc.clone();
        doc.move_node("key", (5.0, 6.0)).unwrap();
        doc.rename_node("key", "Key!").unwrap();
        let key = doc.node("key").unwrap();
        assert_eq!((key.position, key.name.as_str()), ((5.0, 6.0), "Key!"));
        assert_eq!(doc.nodes.len(), before.nodes.len());
        assert_eq!(doc.edges, before.edges);
        assert!(doc.move_node("nope", (0.0, 0.0)).is_err());
        let moves = [
            ("key".to_string(), (7.0, 8.0)),
            ("nope".to_string(), (0.0, 0.0)),
        ];
        assert!(doc.move_nodes(&moves).is_err());
        assert_eq!(
            doc.node("key").unwrap().position,
            (5.0, 6.0),
            "all or nothing"
        );
        doc.move_nodes(&moves[..1]).unwrap();
        assert_eq!(doc.node("key").unwrap().position, (7.0, 8.0));
        assert!(doc.rename_node("nope", "x").is_err());
    }

    #[test]
    fn connect_refuses_cycles_with_the_path() {
        let mut doc = default_doc();
        let before = doc.clone();
        let Err(EditError::Cycle { cycle, .. }) = doc.connect("write", "probe") else {
            panic!("a cycle must be refused");
        };
        assert_eq!(cycle.first(), cycle.last());
        assert!(cycle.iter().any(|n| n == "probe") && cycle.iter().any(|n| n == "write"));
        assert_eq!(doc, before, "a refused edit changes nothing");
        assert_eq!(
            doc.connect("tempo", "tempo"),
            Err(EditError::SelfDependency("tempo".into()))
        );
        assert_eq!(
            doc.connect("tempo", "ghost"),
            Err(EditError::UnknownNode("ghost".into()))
        );
    }

    #[test]
    fn connect_adds_once_and_disconnect_removes() {
        let mut doc = default_doc();
        assert!(doc.edges.iter().all(|e| *e != Edge::new("probe", "write")));
        assert_eq!(doc.connect("probe", "write"), Ok(true));
        assert_eq!(doc.connect("probe", "write"), Ok(false), "already there");
        let count = |d: &PipelineDocument| {
            d.edges
                .iter()
                .filter(|e| **e == Edge::new("probe", "write"))
                .count()
        };
        assert_eq!(count(&doc), 1);
        doc.disconnect("probe", "write").unwrap();
        assert_eq!(count(&doc), 0);
        assert!(matches!(
            doc.disconnect("probe", "write"),
            Err(EditError::UnknownEdge { .. })
        ));
    }

    #[test]
    fn replace_node_needs_an_existing_id() {
        let mut doc = default_doc();
        let mut node = doc.node("key").unwrap().clone();
        node.refinement = !node.refinement;
        doc.replace_node(node.clone()).unwrap();
        assert_eq!(doc.node("key"), Some(&node));
        node.id = "ghost".into();
        assert_eq!(
            doc.replace_node(node),
            Err(EditError::UnknownNode("ghost".into()))
        );
    }
}
