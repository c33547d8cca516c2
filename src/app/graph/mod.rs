//! The pipeline graph: the document converted to the editor's graph
//! (`convert`), the canvas that draws it and reports edits (`graph_ui`,
//! `view`, `zoom`), the node menu, and the selected node's inspector with its
//! plugin parameters.

pub(crate) mod add_menu;
pub(crate) mod convert;
pub(crate) mod fit;
pub(crate) mod graph_ui;
pub(crate) mod node_body;
pub(crate) mod node_inspector;
pub(crate) mod node_menu;
pub(crate) mod plugin_params;
pub(crate) mod view;
pub(crate) mod zoom;
