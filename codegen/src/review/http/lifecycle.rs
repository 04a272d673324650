//! Lifecycle markers of an operation, a parameter or a schema: `deprecated`,
//! `x-sunset` (the date from which it may be removed, `YYYY-MM-DD` or an
//! RFC 3339 date-time) and `x-stability-level` (`draft`, `alpha`, `beta`,
//! `stable`).
//!
//! They are promises about time: a deprecation with a sunset tells clients
//! how long they have to move. Removing the thing itself stays a breaking
//! change even after its sunset: for the crate, a removed operation is a
//! removed method, and callers that still name it stop compiling, so it
//! needs a major version whatever the date (see `RULES.md` next to `kind.rs`).

use serde_json::Value;

use super::{Differ, show};
use crate::document::child;
use crate::review::kind::ChangeKind;

/// The stability levels, least stable first.
const STABILITY: [&str; 4] = ["draft", "alpha", "beta", "stable"];

impl Differ<'_> {
    /// Compares the lifecycle markers of `old` and `new` (objects that may
    /// carry them) at `here`.
    pub(super) fn lifecycle(&mut self, old: &Value, new: &Value, here: &str, subject: &str) {
        let flag = |value: &Value| {
            value
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let at = child(here, "deprecated");
        match (flag(old), flag(new)) {
            (false, true) => self.push(
                ChangeKind::Deprecated,
                None,
                &at,
                format!("{subject} is deprecated"),
            ),
            (true, false) => self.push(
                ChangeKind::Reactivated,
                None,
                &at,
                format!("{subject} is no longer deprecated"),
            ),
            _ => {}
        }
        self.sunset(old.get("x-sunset"), new.get("x-sunset"), here, subject);
        self.stability(
            old.get("x-stability-level"),
            new.get("x-stability-level"),
            here,
            subject,
        );
    }

    fn sunset(&mut self, old: Option<&Value>, new: Option<&Value>, here: &str, subject: &str) {
        if old == new {
            return;
        }
        let at = child(here, "x-sunset");
        let message = format!(
            "{subject}: `x-sunset` went from {} to {}",
            show(old),
            show(new)
        );
        let (before, after) = (old.map(date), new.map(date));
        let kind = match (before, after) {
            (Some(None), _) | (_, Some(None)) => ChangeKind::LifecycleUnreadable,
            (None, Some(_)) => ChangeKind::SunsetAdded,
            (Some(_), None) => ChangeKind::SunsetRemoved,
            (Some(Some(before)), Some(Some(after))) if after < before => {
                ChangeKind::SunsetBroughtForward
            }
            (Some(Some(_)), Some(Some(_))) => ChangeKind::SunsetPostponed,
            (None, None) => return,
        };
        self.push(kind, None, &at, message);
    }

    fn stability(&mut self, old: Option<&Value>, new: Option<&Value>, here: &str, subject: &str) {
        if old == new {
            return;
        }
        let at = child(here, "x-stability-level");
        let message = format!(
            "{subject}: `x-stability-level` went from {} to {}",
            show(old),
            show(new)
        );
        let rank = |level: &Value| {
            let level = level.as_str()?;
            STABILITY.iter().position(|known| *known == level)
        };
        let (before, after) = (old.map(rank), new.map(rank));
        let kind = match (before, after) {
            (Some(None), _) | (_, Some(None)) => ChangeKind::LifecycleUnreadable,
            (Some(Some(before)), Some(Some(after))) if after < before => {
                ChangeKind::StabilityDecreased
            }
            (Some(Some(_)), Some(Some(_))) => ChangeKind::StabilityIncreased,
            // A level where there was none, or none any more: no promise
            // was made or withdrawn, so the reviewer just sees it.
            _ => return self.documentation(old, new, &at),
        };
        self.push(kind, None, &at, message);
    }
}

/// The calendar date an `x-sunset` names, as `YYYY-MM-DD` (which orders as
/// dates do), or `None` when it is not a date.
fn date(value: &Value) -> Option<String> {
    let text = value.as_str()?;
    let (day, rest) = text.split_at_checked(10)?;
    if !(rest.is_empty() || rest.starts_with(['T', 't'])) {
        return None;
    }
    let mut parts = day.split('-');
    let (Some(year), Some(month), Some(dom), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let digits = |part: &str, len: usize| {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())?
    };
    let (_, month, dom): (u32, u32, u32) = (digits(year, 4)?, digits(month, 2)?, digits(dom, 2)?);
    ((1..=12).contains(&month) && (1..=31).contains(&dom)).then(|| day.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::date;

    #[test]
    fn a_sunset_is_a_date_or_an_rfc3339_date_time() {
        for good in ["2023-08-02", "9999-12-31", "2024-01-01T00:00:00Z"] {
            assert_eq!(date(&json!(good)).as_deref(), Some(&good[..10]), "{good}");
        }
        for bad in [
            "invalid-date",
            "2023-13-01",
            "2023-00-10",
            "2023-1-01",
            "20230801",
            "2023-08-01 junk",
            "",
            "ÿÿÿÿ-ÿÿ-ÿÿ",
        ] {
            assert_eq!(date(&json!(bad)), None, "{bad}");
        }
        assert_eq!(date(&json!(20230801)), None);
    }
}
