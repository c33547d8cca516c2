//! `Bounds`: the values a number accepts, declared once beside the field
//! or parameter it bounds, and read by validation, editors and the run
//! plan alike.

/// The accepted values of a number: `min..=max`, or `(min, max]` when the
/// minimum itself is excluded. Never NaN or infinite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Smallest accepted value (or the bound above which values start).
    pub min: f64,
    /// Whether `min` itself is refused.
    pub min_exclusive: bool,
    /// Largest accepted value.
    pub max: f64,
    /// How the range reads in a message ("a positive number of seconds,
    /// at most one week"); `None` writes it as `min..=max`.
    pub phrase: Option<&'static str>,
}

impl Bounds {
    /// `min..=max`.
    pub const fn closed(min: f64, max: f64) -> Self {
        Self {
            min,
            min_exclusive: false,
            max,
            phrase: None,
        }
    }

    /// `(min, max]`: above `min`, at most `max`.
    pub const fn above(min: f64, max: f64) -> Self {
        Self {
            min,
            min_exclusive: true,
            max,
            phrase: None,
        }
    }

    /// The same bounds, read as `phrase` in messages.
    pub const fn reads(self, phrase: &'static str) -> Self {
        Self {
            phrase: Some(phrase),
            ..self
        }
    }

    /// Whether `value` is accepted.
    pub fn contains(&self, value: f64) -> bool {
        let above_min = if self.min_exclusive {
            value > self.min
        } else {
            value >= self.min
        };
        value.is_finite() && above_min && value <= self.max
    }

    /// The range as people read it: the phrase, or `1..=10000`, `(0, 100]`.
    pub fn describe(&self) -> String {
        match self.phrase {
            Some(phrase) => phrase.to_string(),
            None if self.min_exclusive => format!("in ({}, {}]", self.min, self.max),
            None => format!("in {}..={}", self.min, self.max),
        }
    }

    /// `Err("must be …, got v")` when `value` is refused.
    pub fn check(&self, value: f64) -> Result<(), String> {
        if self.contains(value) {
            Ok(())
        } else {
            Err(format!("must be {}, got {value}", self.describe()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_and_half_open_ranges_say_what_they_accept() {
        let b = Bounds::closed(1.0, 10.0);
        assert!(b.contains(1.0) && b.contains(10.0) && !b.contains(10.5) && !b.contains(0.0));
        assert_eq!(b.check(11.0).unwrap_err(), "must be in 1..=10, got 11");
        let p = Bounds::above(0.0, 100.0);
        assert!(!p.contains(0.0) && p.contains(100.0) && !p.contains(f64::NAN));
        assert_eq!(p.check(0.0).unwrap_err(), "must be in (0, 100], got 0");
        let t = Bounds::above(0.0, 60.0).reads("a positive number of seconds");
        assert_eq!(
            t.check(-1.0).unwrap_err(),
            "must be a positive number of seconds, got -1"
        );
    }
}
