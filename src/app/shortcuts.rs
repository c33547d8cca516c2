//! Keyboard shortcuts: one table, read by the key handler and by the menus
//! (which show each command's shortcut from it).

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::app::command::Command;

const COMMAND_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);

/// Every shortcut and the command it pushes, tried in this order (so the
/// Shift variants come before their plain ones). A command's first entry is
/// the one its menu item shows.
pub const SHORTCUTS: [(KeyboardShortcut, Command); 8] = [
    (KeyboardShortcut::new(COMMAND_SHIFT, Key::Z), Command::Redo),
    (
        KeyboardShortcut::new(COMMAND_SHIFT, Key::S),
        Command::SaveAsDialog,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Z),
        Command::Undo,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Y),
        Command::Redo,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::S),
        Command::Save,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::O),
        Command::OpenDialog,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::N),
        Command::New,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Q),
        Command::Quit,
    ),
];

/// The shortcut a menu shows for `command`, if it has one.
pub fn shortcut_for(command: &Command) -> Option<KeyboardShortcut> {
    let wanted = std::mem::discriminant(command);
    SHORTCUTS
        .iter()
        .find(|(_, c)| std::mem::discriminant(c) == wanted)
        .map(|(shortcut, _)| *shortcut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_menu_command_finds_its_first_shortcut() {
        let redo = shortcut_for(&Command::Redo).unwrap();
        assert_eq!(redo, KeyboardShortcut::new(COMMAND_SHIFT, Key::Z));
        let save = shortcut_for(&Command::Save).unwrap();
        assert_eq!(save, KeyboardShortcut::new(Modifiers::COMMAND, Key::S));
        assert!(shortcut_for(&Command::Run).is_none());
    }
}
