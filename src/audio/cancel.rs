//! A plain cancellation check for the DSP's block loops: the analysis
//! stays synchronous and knows nothing of tokio; the caller decides what
//! "cancelled" means (a token, a flag).

/// Asked between blocks of work (a few milliseconds apart at most); true
/// means stop.
pub type CancelCheck<'a> = &'a dyn Fn() -> bool;

/// The work stopped because its check asked it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// A check that never cancels, for callers that run to the end.
pub fn never() -> bool {
    false
}

/// `Err(Cancelled)` once `cancel` says so, checked on every `every`-th
/// step `i` only, so tight loops pay for it rarely.
pub(crate) fn every(i: usize, every: usize, cancel: CancelCheck) -> Result<(), Cancelled> {
    if i.is_multiple_of(every.max(1)) && cancel() {
        Err(Cancelled)
    } else {
        Ok(())
    }
}
