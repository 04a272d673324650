//! The fake's clock and how it writes time: what "now" is for expiry and
//! `created`, and the precision Deepgram's timestamps have.

use chrono::{DateTime, SecondsFormat, SubsecRound, TimeDelta, Utc};

/// The fake's idea of now: the system clock moved by what the test asked,
/// or a fixed instant once the test sets one.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    fixed: Option<DateTime<Utc>>,
    offset: TimeDelta,
}

impl Clock {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let base = self.fixed.unwrap_or_else(Utc::now);
        base.checked_add_signed(self.offset)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    pub(crate) fn set_now(&mut self, now: DateTime<Utc>) {
        *self = Clock {
            fixed: Some(now),
            offset: TimeDelta::zero(),
        };
    }

    pub(crate) fn advance(&mut self, by: TimeDelta) {
        self.offset = self.offset.checked_add(&by).unwrap_or(TimeDelta::MAX);
    }
}

/// `now` plus `seconds`, unless that leaves the calendar.
pub(crate) fn after_seconds(now: DateTime<Utc>, seconds: u64) -> Option<DateTime<Utc>> {
    let delta = TimeDelta::try_seconds(i64::try_from(seconds).ok()?)?;
    now.checked_add_signed(delta)
}

/// Real responses carry microseconds; stored times keep exactly that much.
pub(crate) fn micros(when: DateTime<Utc>) -> DateTime<Utc> {
    when.trunc_subsecs(6)
}

/// RFC 3339 with six fractional digits, always, as Deepgram writes them
/// (`2024-05-21T17:19:49.373761Z`, `2024-05-01T00:00:00.000000Z`).
pub(crate) fn timestamp(when: DateTime<Utc>) -> String {
    when.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_saturates_instead_of_overflowing() {
        let mut clock = Clock::default();
        clock.advance(TimeDelta::MAX);
        clock.advance(TimeDelta::MAX);
        assert_eq!(clock.now(), DateTime::<Utc>::MAX_UTC);
        clock.set_now(DateTime::<Utc>::MAX_UTC);
        assert_eq!(after_seconds(clock.now(), 1), None);
        assert_eq!(
            after_seconds(clock.now(), 0),
            Some(DateTime::<Utc>::MAX_UTC)
        );
    }

    #[test]
    fn timestamps_always_carry_six_fractional_digits() {
        let round: DateTime<Utc> = "2024-05-01T00:00:00Z".parse().unwrap();
        assert_eq!(timestamp(round), "2024-05-01T00:00:00.000000Z");
        let fine: DateTime<Utc> = "2024-05-21T17:19:49.373761999Z".parse().unwrap();
        assert_eq!(timestamp(micros(fine)), "2024-05-21T17:19:49.373761Z");
    }
}
