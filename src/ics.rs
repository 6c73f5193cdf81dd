//! Calendar export (RFC 5545): one VEVENT per booking, in UTC, with a UID that stays the
//! same across exports so that calendar apps update events instead of duplicating them.

use icalendar::{Calendar, Component, EventLike, EventStatus};

use crate::domain::{BookingStatus, ResourceKind};
use crate::i18n::{self, Lang};
use crate::store::BookingView;

pub fn uid(booking_id: &str) -> String {
    format!("{booking_id}@incubook")
}

pub fn bookings_to_ics(bookings: &[BookingView], lang: Lang) -> String {
    let mut calendar = Calendar::new();
    calendar.name(if lang == Lang::Zh { "众创预约" } else { "Incubook" });
    for view in bookings.iter().filter(|v| !matches!(v.booking.status, BookingStatus::Declined)) {
        let b = &view.booking;
        let summary = match (b.resource_kind, lang) {
            (ResourceKind::Mentor, Lang::Zh) => format!("导师辅导：{}", b.resource_name),
            (ResourceKind::Mentor, Lang::En) => format!("Mentor session: {}", b.resource_name),
            (ResourceKind::Equipment, Lang::Zh) => format!("设备预约：{}", b.resource_name),
            (ResourceKind::Equipment, Lang::En) => format!("Equipment booking: {}", b.resource_name),
        };
        let status = match b.status {
            BookingStatus::Requested => EventStatus::Tentative,
            BookingStatus::Cancelled | BookingStatus::Declined => EventStatus::Cancelled,
            _ => EventStatus::Confirmed,
        };
        let mut description =
            format!("{}: {}", if lang == Lang::Zh { "状态" } else { "Status" }, i18n::status_label(b.status.as_str(), lang));
        if !b.topic.is_empty() {
            description.push_str(&format!("\n{}: {}", if lang == Lang::Zh { "主题" } else { "Topic" }, b.topic));
        }
        if let Some(reason) = &b.reason {
            description.push_str(&format!("\n{}: {reason}", if lang == Lang::Zh { "原因" } else { "Reason" }));
        }
        // What the lab's kiosk asks for (its QR code holds the same digits).
        if b.resource_kind == ResourceKind::Equipment && b.status.holds_slot() {
            let code = crate::usage::check_in_code(&b.id);
            description.push_str(&format!("\n{}: {code}", if lang == Lang::Zh { "签到码" } else { "Check-in code" }));
        }
        calendar.push(
            icalendar::Event::new()
                .uid(&uid(&b.id))
                .timestamp(b.updated_at)
                .last_modified(b.updated_at)
                .starts(b.start)
                .ends(b.end)
                .summary(&summary)
                .description(&description)
                .status(status)
                .done(),
        );
    }
    calendar.done().to_string()
}
