//! File dialogs: native ones where the desktop has them (`ask`), else the
//! in-app file browser.

pub(crate) mod ask;
pub(crate) mod file_browser;
