//! `wave-studio plugins list|check [NAME]`: the installed plugins with the
//! command each runs, headless, as the app's Plugins window shows them.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::error::Outcome;
use crate::library::path_text;
use crate::pipeline::plugin::{Installed, Plugin, Tracked, search_dirs};
use crate::text::{escape, escape_text};

/// Options of `plugins`.
#[derive(Debug, Clone, clap::Args)]
pub struct PluginsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: PluginsAction,
}

/// `plugins` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum PluginsAction {
    /// List installed plugins: name, description, stage kind, command and
    /// folder; then manifests that could not be loaded.
    List,
    /// Check plugins (all, or the one named): the manifest is valid and
    /// the program is present and can be started.
    Check {
        /// Only this plugin.
        name: Option<String>,
    },
}

/// `AllOk` when every listed or checked plugin is sound, `SomeFailed`
/// (exit 1) when a manifest is broken or a program cannot start.
pub fn run(args: &PluginsArgs) -> Outcome {
    let dirs = search_dirs();
    let installed = Installed::scan(&dirs);
    match &args.action {
        PluginsAction::List => list(&installed, &dirs),
        PluginsAction::Check { name } => check(&installed, name.as_deref()),
    }
}

/// A path as the terminal shows it.
fn shown_path(path: &Path) -> String {
    escape(&path_text(path)).into_owned()
}

fn list(installed: &Installed, dirs: &[std::path::PathBuf]) -> Outcome {
    let shown: Vec<String> = dirs.iter().map(|d| shown_path(d)).collect();
    println!("plugin folders: {}", shown.join(", "));
    if installed.plugins.is_empty() {
        println!("no plugins installed");
    }
    for plugin in installed.plugins.values() {
        let m = &plugin.manifest;
        println!("{}  ({:?}, {:?})", escape(&m.name), m.kind, m.mode);
        println!("    {}", escape_text(&m.description));
        println!("    command: {}", escape(&plugin.command_line()));
        println!("    dir:     {}", shown_path(&plugin.dir));
    }
    for problem in &installed.problems {
        eprintln!("broken: {}", escape_text(&problem.to_string()));
    }
    Outcome::from_all_ok(installed.problems.is_empty())
}

fn check(installed: &Installed, name: Option<&str>) -> Outcome {
    let mut ok = true;
    if let Some(name) = name
        && installed.get(name).is_none()
    {
        eprintln!("{}", escape_text(&installed.why_missing(name)));
        return Outcome::SomeFailed;
    }
    for plugin in installed.plugins.values() {
        if name.is_some_and(|n| n != plugin.manifest.name) {
            continue;
        }
        match runnable(plugin) {
            Ok(()) => println!(
                "{}: ok ({})",
                escape(&plugin.manifest.name),
                escape(&plugin.command_line())
            ),
            Err(e) => {
                ok = false;
                let name = escape(&plugin.manifest.name);
                eprintln!("{name}: {}", escape_text(&e.to_string()));
            }
        }
    }
    if name.is_none() {
        for problem in &installed.problems {
            ok = false;
            eprintln!("broken: {}", escape_text(&problem.to_string()));
        }
    }
    Outcome::from_all_ok(ok)
}

/// Whether the program exists and starts: it is started with stdin closed
/// (no request) and killed after a moment; only failing to start counts.
fn runnable(plugin: &Plugin) -> Result<(), String> {
    let program = plugin
        .program()
        .ok_or_else(|| "its manifest names no command".to_string())?;
    if program.components().count() > 1 && !program.is_file() {
        return Err(format!("program {} does not exist", program.display()));
    }
    for word in plugin.manifest.command.iter().skip(1) {
        let path = plugin.dir.join(word);
        if looks_like_script(word) && !path.is_file() {
            return Err(format!("{} does not exist", path.display()));
        }
    }
    let mut command = Command::new(&program);
    command
        .args(plugin.manifest.command.iter().skip(1))
        .current_dir(&plugin.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Tracked, so whatever it starts is killed with it.
    let (mut child, tracked) = Tracked::spawn(&mut command)
        .map_err(|e| format!("cannot start `{}`: {e}", program.display()))?;
    // It reads an empty request and exits, or waits: either way it started.
    let begun = Instant::now();
    while begun.elapsed() < Duration::from_millis(300) && matches!(child.try_wait(), Ok(None)) {
        std::thread::sleep(Duration::from_millis(10));
    }
    tracked.kill();
    let _ = child.wait();
    Ok(())
}

/// An argument naming a file of the plugin (a script an interpreter runs).
fn looks_like_script(word: &str) -> bool {
    Path::new(word).extension().is_some_and(|e| {
        ["py", "sh", "pl", "rb", "js", "lua"]
            .iter()
            .any(|x| e == *x)
    })
}
