//! Finding installed plugins: every folder with a `plugin.ron` directly
//! under the plugin folders. Problems are kept beside the plugins found, so
//! one broken plugin never hides the others.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::manifest::MANIFEST_FILE;
use super::{Plugin, PluginError};

/// The platform's plugin folder: on Linux
/// `~/.local/share/wave-studio/plugins`.
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "wave-studio").map(|d| d.data_dir().join("plugins"))
}

/// The plugins found, by name, and what could not be loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Installed {
    /// Plugins by name; the first folder given wins a name clash.
    pub plugins: BTreeMap<String, Plugin>,
    /// Manifests that could not be loaded, and clashes.
    pub problems: Vec<PluginError>,
}

impl Installed {
    /// Scans `dirs` in order (missing folders are skipped quietly: the
    /// default one need not exist).
    pub fn scan(dirs: &[PathBuf]) -> Self {
        let mut out = Self::default();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut folders: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join(MANIFEST_FILE).is_file())
                .collect();
            folders.sort();
            for folder in folders {
                out.add(&folder);
            }
        }
        out
    }

    fn add(&mut self, folder: &Path) {
        match Plugin::load(folder) {
            Ok(plugin) => {
                let name = plugin.manifest.name.clone();
                if let Some(first) = self.plugins.get(&name) {
                    self.problems.push(PluginError::Manifest {
                        path: folder.join(MANIFEST_FILE),
                        message: format!(
                            "another plugin named `{name}` is already installed in {}; this one is ignored",
                            first.dir.display()
                        ),
                    });
                } else {
                    self.plugins.insert(name, plugin);
                }
            }
            Err(e) => self.problems.push(e),
        }
    }

    /// A plugin by name.
    pub fn get(&self, name: &str) -> Option<&Plugin> {
        self.plugins.get(name)
    }
}
