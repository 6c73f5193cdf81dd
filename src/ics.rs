//! Calendar export (RFC 5545): one VEVENT per booking, in UTC, with a UID that stays the
//! same across exports so that calendar apps update events instead of duplicating them. A
//! repeating series is one VEVENT with its RRULE in the resource's zone (with a VTIMEZONE, so
//! that 09:00 stays 09:00 across daylight saving), an EXDATE for each occurrence cancelled,
//! declined or skipped, and an override (RECURRENCE-ID) for each one moved alone.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus, Property};

use crate::domain::{BookingStatus, ResourceKind};
use crate::i18n::{self, Lang};
use crate::office::BlockKind;
use crate::place::SessionPlace;
use crate::store::{BlockView, BookingView, SeriesLink};

pub fn uid(booking_id: &str) -> String {
    format!("{booking_id}@incubook")
}

pub fn bookings_to_ics(bookings: &[BookingView], lang: Lang) -> String {
    calendar_to_ics(bookings, &[], lang)
}

/// The person's bookings and the office-hours seats they hold (a seat is its own slot of the
/// block in office hours, the whole block in a group).
pub fn calendar_to_ics(bookings: &[BookingView], seats: &[BlockView], lang: Lang) -> String {
    let mut calendar = Calendar::new();
    for block in seats.iter().filter(|b| !b.cancelled) {
        let Some(n) = block.my_seat else { continue };
        calendar.push(seat_event(block, n, lang).done());
    }
    calendar.name(if lang == Lang::Zh { "众创预约" } else { "Incubook" });
    let mut series: BTreeMap<&str, Vec<&BookingView>> = BTreeMap::new();
    for view in bookings {
        match &view.series {
            Some(link) => series.entry(link.id.as_str()).or_default().push(view),
            None if view.booking.status != BookingStatus::Declined => {
                calendar
                    .push(event(view, lang).uid(&uid(&view.booking.id)).starts(view.booking.start).ends(view.booking.end).done());
            }
            None => {}
        }
    }
    let mut zones: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for members in series.values_mut() {
        members.sort_by_key(|v| v.series.as_ref().map(|s| s.recurrence_start));
        let Some((first, link)) = members.first().and_then(|v| v.series.as_ref().map(|s| (*v, s))) else { continue };
        let Ok(tz) = link.timezone.parse::<Tz>() else { continue };
        let span = zones.entry(link.timezone.clone()).or_insert((i64::MAX, i64::MIN));
        span.0 = span.0.min(link.recurrence_start.timestamp());
        span.1 = span.1.max(members.iter().map(|v| v.booking.end.timestamp()).max().unwrap_or_default());
        let series_uid = uid(&link.id);
        let mut master = event(first, lang);
        master
            .uid(&series_uid)
            .starts(zoned(link.recurrence_start, tz))
            .ends(zoned(link.recurrence_end, tz))
            .add_property("RRULE", &link.rule)
            .description(&series_description(members, lang));
        for gone in members.iter().filter(|v| matches!(v.booking.status, BookingStatus::Cancelled | BookingStatus::Declined)) {
            if let Some(s) = &gone.series {
                master.append_multi_property(local_property("EXDATE", s.recurrence_start, tz));
            }
        }
        calendar.push(master.done());
        for moved in members.iter().filter(|v| moved_alone(v) && v.booking.status.holds_slot()) {
            if let Some(s) = &moved.series {
                let mut one = event(moved, lang);
                one.uid(&series_uid)
                    .recurrence_id(zoned(s.recurrence_start, tz))
                    .starts(moved.booking.start)
                    .ends(moved.booking.end);
                calendar.push(one.done());
            }
        }
    }
    with_timezones(calendar.done().to_string(), &zones)
}

/// A booking's event without its times: summary, status and description.
fn event(view: &BookingView, lang: Lang) -> Event {
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
    // A mentor in another zone: the session's time on both sides' clocks.
    if let (Ok(booker), Ok(mentor)) = (view.booker_zone.parse::<Tz>(), view.resource_zone.parse::<Tz>())
        && b.resource_kind == ResourceKind::Mentor
        && crate::zones::shown_times(b.start, booker, mentor).1.is_some()
    {
        let label = if lang == Lang::Zh { "时间" } else { "Time" };
        description.push_str(&format!("\n{label}: {}", crate::zones::dual_time(b.start, booker, mentor, lang)));
    }
    // What the lab's kiosk asks for (its QR code holds the same digits).
    if let Some(code) = view.check_in_code.as_ref().filter(|_| b.status.holds_slot()) {
        description.push_str(&format!("\n{}: {code}", if lang == Lang::Zh { "签到码" } else { "Check-in code" }));
    }
    if let Some(place) = &view.place {
        add_join_details(place, &mut description, lang);
    }
    let mut e = Event::new();
    e.timestamp(b.updated_at).last_modified(b.updated_at).summary(&summary).description(&description).status(status);
    if let Some(place) = &view.place {
        add_place(&mut e, place, lang);
    }
    e
}

/// How to join, in the description too: not every calendar shows URL or CONFERENCE.
fn add_join_details(place: &SessionPlace, description: &mut String, lang: Lang) {
    let zh = lang == Lang::Zh;
    description.push_str(&format!("\n{}: {}", if zh { "地点" } else { "Place" }, place.summary(lang)));
    if let SessionPlace::Online { join_url, .. } = place
        && !join_url.is_empty()
    {
        description.push_str(&format!("\n{}: {join_url}", if zh { "入会链接" } else { "Join" }));
    }
}

/// LOCATION for every place; URL and CONFERENCE (RFC 7986) for a meeting link or a phone.
fn add_place(e: &mut Event, place: &SessionPlace, lang: Lang) {
    e.location(&place.summary(lang));
    let (uri, feature) = match place {
        SessionPlace::Online { join_url, .. } if !join_url.is_empty() => {
            e.add_property("URL", join_url);
            (join_url.clone(), "VIDEO")
        }
        SessionPlace::Phone { number } => {
            let digits: String = number.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            (format!("tel:{digits}"), "PHONE")
        }
        _ => return,
    };
    let mut conference = Property::new("CONFERENCE", uri);
    conference.add_parameter("VALUE", "URI").add_parameter("FEATURE", feature).add_parameter("LABEL", &place.summary(lang));
    e.append_multi_property(conference.done());
}

/// A held seat: its own time, the block's title and mentor, and which seat.
fn seat_event(block: &BlockView, n: u32, lang: Lang) -> Event {
    let zh = lang == Lang::Zh;
    let (start, end) = match block.kind {
        BlockKind::OfficeHours => {
            let start = block.start + chrono::Duration::minutes(i64::from(n) * i64::from(block.seat_minutes));
            (start, start + chrono::Duration::minutes(i64::from(block.seat_minutes)))
        }
        BlockKind::Group => (block.start, block.end),
    };
    let kind = match (block.kind, zh) {
        (BlockKind::OfficeHours, true) => "答疑时间",
        (BlockKind::OfficeHours, false) => "Office hours",
        (BlockKind::Group, true) => "小组辅导",
        (BlockKind::Group, false) => "Group session",
    };
    let title = if block.title.is_empty() { String::new() } else { format!(" · {}", block.title) };
    let summary = format!("{kind}{title}：{}", block.mentor_name);
    let seat = if zh { format!("席位 {}", n + 1) } else { format!("Seat {}", n + 1) };
    let mut e = Event::new();
    e.uid(&format!("seat-{}-{n}@incubook", block.id)).summary(&summary).description(&seat).starts(start).ends(end);
    e.status(EventStatus::Confirmed);
    e
}

/// A series' description: its topic, and for an instrument each occurrence's check-in code
/// (every booking has its own).
fn series_description(members: &[&BookingView], lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut text = String::from(if zh { "重复预约" } else { "Repeating booking" });
    if let Some(topic) = members.first().map(|v| &v.booking.topic).filter(|t| !t.is_empty()) {
        text.push_str(&format!("\n{}: {topic}", if zh { "主题" } else { "Topic" }));
    }
    for v in members.iter().filter(|v| v.booking.status.holds_slot()) {
        let Some(code) = &v.check_in_code else { continue };
        let tz = v.series.as_ref().and_then(|s| s.timezone.parse::<Tz>().ok()).unwrap_or(crate::clock::DISTRICT_ZONE);
        let day = v.booking.start.with_timezone(&tz).format("%m-%d %H:%M");
        text.push_str(&format!("\n{} {day}: {code}", if zh { "签到码" } else { "Check-in code" }));
    }
    text
}

fn moved_alone(v: &BookingView) -> bool {
    v.series.as_ref().is_some_and(|s: &SeriesLink| s.recurrence_start != v.booking.start || s.recurrence_end != v.booking.end)
}

fn zoned(t: DateTime<Utc>, tz: Tz) -> CalendarDateTime {
    CalendarDateTime::WithTimezone { date_time: t.with_timezone(&tz).naive_local(), tzid: tz.name().to_string() }
}

fn local_property(key: &str, t: DateTime<Utc>, tz: Tz) -> Property {
    let mut p = Property::new(key, t.with_timezone(&tz).format("%Y%m%dT%H%M%S").to_string());
    p.add_parameter("TZID", tz.name());
    p.done()
}

/// The calendar with a VTIMEZONE for each zone a series names, before its first event: the
/// zone's offsets over the series' span (a year before it, so that every time in it falls
/// after an observance's start).
fn with_timezones(text: String, zones: &BTreeMap<String, (i64, i64)>) -> String {
    let blocks: String = zones
        .iter()
        .filter_map(|(name, &(from, to))| name.parse::<Tz>().ok().map(|tz| vtimezone(tz, from - 366 * 86_400, to)))
        .collect();
    match text.find("BEGIN:VEVENT") {
        Some(at) if !blocks.is_empty() => format!("{}{blocks}{}", &text[..at], &text[at..]),
        _ => text,
    }
}

fn vtimezone(tz: Tz, from: i64, to: i64) -> String {
    let offset = |t: i64| crate::availability::offset_at(tz, t);
    let hhmm = |secs: i64| {
        let sign = if secs < 0 { '-' } else { '+' };
        format!("{sign}{:02}{:02}", secs.abs() / 3600, secs.abs() % 3600 / 60)
    };
    let local = |t: i64, off: i64| DateTime::<Utc>::from_timestamp(t + off, 0).unwrap_or_default().format("%Y%m%dT%H%M%S");
    let observance = |kind: &str, t: i64, before: i64, after: i64| {
        format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nEND:{kind}\r\n",
            local(t, before),
            hhmm(before),
            hhmm(after)
        )
    };
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    out.push_str(&observance("STANDARD", from, offset(from), offset(from)));
    let mut day = from;
    while day < to {
        let next = day + 86_400;
        let (before, after) = (offset(day), offset(next));
        if before != after {
            // The instant of the change, to the second.
            let (mut lo, mut hi) = (day, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset(mid) == before { lo = mid } else { hi = mid }
            }
            out.push_str(&observance(if after > before { "DAYLIGHT" } else { "STANDARD" }, hi, before, after));
        }
        day = next;
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}
