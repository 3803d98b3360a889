//! `[[suppress]]` entries: findings accepted by rule and resource, until they expire.

use globset::GlobMatcher;
use std::ops::Range;

#[derive(Clone, Debug)]
pub struct Suppression {
    /// An exact rule ID.
    pub rule: String,
    /// Resource address pattern: `*` matches any run of characters, `?` one character,
    /// everything else is literal (so `type.name["key"]` and `[0]` need no escaping).
    /// Compared case-insensitively because ARM resource types are.
    pub resource: String,
    pub reason: String,
    /// `YYYY-MM-DD`; the suppression stops applying after this day.
    pub expires: Option<String>,
    /// 1-based line of the `[[suppress]]` header, where AG002 points.
    pub line: usize,
    pub(super) matcher: GlobMatcher,
}

impl Suppression {
    pub fn matches(&self, rule: &str, resource: &str) -> bool {
        self.rule == rule && self.matcher.is_match(resource)
    }

    /// `today` is `YYYY-MM-DD` (see `today_utc`); the expiry day itself still counts.
    pub fn is_expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|day| day < today)
    }
}

/// Today's date in UTC as `YYYY-MM-DD`, for comparing with `expires`.
pub fn today_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Howard Hinnant's days-to-civil algorithm; avoids a date crate for one conversion.
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub(super) fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: Range<usize>| -> Option<u32> {
        let part = &text[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}
