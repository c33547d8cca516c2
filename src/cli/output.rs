//! Where a command's results go: a `--out` file or stdout, buffered.

use std::io::Write;
use std::path::Path;

use super::error::CliError;

/// `path` created (an error names it), or stdout when `None`.
pub fn open_output(path: Option<&Path>) -> Result<Box<dyn Write>, CliError> {
    Ok(match path {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|source| CliError::Output {
                path: path.to_path_buf(),
                source,
            })?;
            Box::new(std::io::BufWriter::new(file))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    })
}
