//! Audio decode/analysis benchmark (placeholder).

fn main() {}
