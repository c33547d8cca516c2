//! Finding installed plugins: every folder with a `plugin.ron` directly
//! under the plugin folders. Problems are kept beside the plugins found, so
//! one broken plugin never hides the others.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use super::manifest::MANIFEST_FILE;
use super::{Plugin, PluginError};

/// The platform's plugin folder: on Linux
/// `~/.local/share/wave-studio/plugins`.
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "wave-studio").map(|d| d.data_dir().join("plugins"))
}

/// The environment variable naming extra plugin folders (`:`-separated).
pub const PLUGINS_ENV: &str = "WAVE_STUDIO_PLUGINS";

/// Folders added for this process (`--plugins DIR`), searched first.
static EXTRA_DIRS: RwLock<Vec<PathBuf>> = RwLock::new(Vec::new());

/// Adds a folder searched before the others for the rest of the process
/// (the command line's `--plugins DIR`).
pub fn add_search_dir(dir: PathBuf) {
    let mut dirs = EXTRA_DIRS.write().unwrap_or_else(|e| e.into_inner());
    if !dirs.contains(&dir) {
        dirs.push(dir);
    }
}

/// Where plugins are looked for, in order: folders added with
/// `add_search_dir`, those in `WAVE_STUDIO_PLUGINS`, the platform's folder.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = EXTRA_DIRS.read().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(env) = std::env::var_os(PLUGINS_ENV) {
        dirs.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
    }
    dirs.extend(default_dir());
    dirs
}

/// The plugins found, by name, and what could not be loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Installed {
    /// Plugins by name; the first folder given wins a name clash.
    pub plugins: BTreeMap<String, Plugin>,
    /// Manifests that could not be loaded, and clashes.
    pub problems: Vec<PluginError>,
    /// The folders scanned, in order (for "not installed" messages).
    pub dirs: Vec<PathBuf>,
}

impl Installed {
    /// Scans the folders of `search_dirs`.
    pub fn discover() -> Self {
        Self::scan(&search_dirs())
    }

    /// Scans `dirs` in order (missing folders are skipped quietly: the
    /// default one need not exist).
    pub fn scan(dirs: &[PathBuf]) -> Self {
        let mut out = Self {
            dirs: dirs.to_vec(),
            ..Self::default()
        };
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

    /// Why `name` cannot be used: not found in the scanned folders, or its
    /// manifest is broken (then that problem).
    pub fn why_missing(&self, name: &str) -> String {
        let broken = self.problems.iter().find(|p| match p {
            PluginError::Manifest { path, .. } => path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|f| f == name),
            _ => false,
        });
        if let Some(p) = broken {
            return format!("plugin `{name}` is installed but broken: {p}");
        }
        let dirs: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
        format!(
            "plugin `{name}` is not installed (looked in: {}); install it or remove the node",
            if dirs.is_empty() {
                "no folders".to_string()
            } else {
                dirs.join(", ")
            }
        )
    }
}
