//! Printing results: tables for people, JSON for scripts.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use incubook::CoreError;
use incubook::i18n::Lang;
use serde::Serialize;

/// Writes to stdout. A reader that went away (`incubook mentors | head`) ends the command
/// quietly with status 0, as `ls | head` does, instead of a panic.
pub fn print_out(text: &str) -> Result<(), CoreError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

pub struct Output {
    pub json: bool,
    pub lang: Lang,
}

/// Times are shown in the district's zone unless a resource says otherwise.
pub const DISTRICT_TZ: Tz = incubook::clock::DISTRICT_ZONE;

impl Output {
    pub fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.zh() { zh } else { en }
    }

    /// Prints `value` as JSON, or the human text.
    pub fn show<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) -> Result<(), CoreError> {
        if self.json {
            let text = serde_json::to_string_pretty(value).map_err(|e| CoreError::Io(std::io::Error::other(e)))?;
            print_out(&format!("{text}\n"))?;
        } else {
            let text = human();
            if !text.is_empty() {
                print_out(&format!("{}\n", text.trim_end()))?;
            }
        }
        Ok(())
    }

    /// A line of progress, on stderr so that `--json` output stays one document.
    pub fn note(&self, text: &str) {
        eprintln!("{text}");
    }

    pub fn error(&self, e: &CoreError) {
        let message = e.message(self.lang);
        if self.json {
            let mut body = serde_json::json!({"code": e.code(), "message": message});
            if let CoreError::Csv(rows) = e {
                body["rows"] = serde_json::to_value(rows).unwrap_or_default();
            }
            eprintln!("{body}");
        } else {
            eprintln!("{} [{}]: {message}", self.t("错误", "error"), e.code());
            if let CoreError::Csv(rows) = e {
                for r in rows {
                    eprintln!("  {} {}, {}: {}", self.t("第", "line"), r.line, r.field, r.message);
                }
            }
        }
    }

    pub fn instant(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&DISTRICT_TZ).format("%Y-%m-%d %H:%M").to_string()
    }

    pub fn span(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let s = start.with_timezone(&DISTRICT_TZ);
        let e = end.with_timezone(&DISTRICT_TZ);
        let weekday = if self.zh() {
            ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        } else {
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        };
        let wd = weekday[chrono::Datelike::weekday(&s).num_days_from_monday() as usize];
        if s.date_naive() == e.date_naive() {
            format!("{} {wd} {}–{}", s.format("%Y-%m-%d"), s.format("%H:%M"), e.format("%H:%M"))
        } else {
            format!("{} {wd} {} – {}", s.format("%Y-%m-%d"), s.format("%H:%M"), e.format("%Y-%m-%d %H:%M"))
        }
    }
}

/// Left-aligned columns, measured in display width (a Chinese character is two columns).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().map(|c| if c.len_utf8() > 1 { 2 } else { 1 }).sum::<usize>();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(cell));
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            out.push_str(c);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(widths[i] - width(c) + 2));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
