//! `connect`, `sync` and `sync-status`: the district server, from the command line.

use std::io::{BufRead, IsTerminal};

use chrono::{DateTime, Utc};
use incubook::store::Store;
use incubook::sync::client::{SyncClient, SyncStatus, sync_with_progress};
use incubook::sync::http::HttpTransport;
use incubook::sync::upload::queue_missing_catalogues;
use incubook::{CoreError, Result};

use crate::output::Output;

fn password(out: &Output) -> Result<String> {
    if let Ok(password) = std::env::var("INCUBOOK_PASSWORD") {
        return Ok(password);
    }
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(out.t("密码：", "Password: "))?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line
    };
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(CoreError::invalid("password", "give the password on stdin or in INCUBOOK_PASSWORD"));
    }
    Ok(password)
}

pub fn connect(store: &mut Store, url: &str, user: &str, insecure_http: bool, out: &Output, now: DateTime<Utc>) -> Result<()> {
    let http = if insecure_http { HttpTransport::new_allowing_plain_http(url)? } else { HttpTransport::new(url)? };
    let signed_in = http.sign_in(user.trim(), &password(out)?)?;
    store.connect_sync(url.trim().trim_end_matches('/'), user.trim(), &signed_in.user.person_id, &signed_in.token)?;
    store.set_district_operator(signed_in.user.is_district_operator())?;
    // A space admin whose makerspace the server has no catalogue for uploads this desktop's.
    let on_server = http.makerspaces(&signed_in.token)?;
    let uploads = queue_missing_catalogues(store, &on_server, &signed_in.user.roles, now)?;
    for upload in &uploads {
        out.note(&format!(
            "{} {}: {} {}",
            out.t("上传本空间目录", "Uploading the catalogue of"),
            upload.makerspace_code,
            upload.changes(),
            out.t("项", "items")
        ));
    }
    let mut last_percent = None;
    let report = sync_with_progress(&mut *store, &http, now, &mut |p| {
        if p.to_send == 0 {
            return;
        }
        let percent = p.sent * 100 / p.to_send;
        if last_percent != Some(percent) {
            last_percent = Some(percent);
            out.note(&format!("{} {}/{} ({percent}%)", out.t("已发送", "sent"), p.sent, p.to_send));
        }
    })?;
    let status = store.sync_status()?;
    let shown =
        serde_json::json!({"person_id": signed_in.user.person_id, "uploads": uploads, "report": report, "status": status});
    out.show(&shown, || {
        let mut text = format!(
            "{} {url} ({user})\n{} {}  {} {}\n{} --as {}",
            out.t("已连接区平台", "Connected to the district server"),
            out.t("收到", "received"),
            report.pulled,
            out.t("待同步", "waiting"),
            report.waiting,
            out.t("以本人身份操作：", "Act as yourself with:"),
            signed_in.user.person_id
        );
        push_refusals(&mut text, &report.refused, out);
        text
    })
}

fn push_refusals(text: &mut String, refused: &[String], out: &Output) {
    for code in refused {
        text.push_str(&format!("\n{} {code}", out.t("区平台拒绝：", "refused by the server:")));
    }
}

/// Every makerspace's figures of the year as the district server adds them up.
pub fn district_year_figures(store: &Store, year: i32) -> Result<Vec<incubook::kpi::YearFigures>> {
    let (status, token) = store.sync_token()?;
    HttpTransport::new_allowing_plain_http(&status.server_url)?.district_year_figures(&token, year)
}

pub fn sync(store: &mut Store, out: &Output, now: DateTime<Utc>) -> Result<()> {
    let status = store
        .sync_status()?
        .ok_or_else(|| CoreError::invalid("sync", "not connected; run `incubook connect URL --user NAME` first"))?;
    // The address was taken when this database connected (plain http only if asked for).
    let http = HttpTransport::new_allowing_plain_http(&status.server_url)?;
    let report = store.sync_once(&http, now)?;
    out.show(&report, || {
        let mut text = format!(
            "{} {}  {} {}  {} {}",
            out.t("已发送", "sent"),
            report.pushed,
            out.t("已收到", "received"),
            report.pulled,
            out.t("待同步", "waiting"),
            report.waiting
        );
        push_refusals(&mut text, &report.refused, out);
        text
    })
}

pub fn status(store: &Store, out: &Output) -> Result<()> {
    let status: Option<SyncStatus> = store.sync_status()?;
    out.show(&status, || match &status {
        None => out.t("未连接区平台。", "Not connected to a district server.").to_string(),
        Some(s) => {
            let mut text = format!(
                "{} {} ({})\n{} {}\n{} {}{}",
                out.t("区平台", "Server"),
                s.server_url,
                s.username,
                out.t("上次同步", "Last sync"),
                s.last_sync_at.map(|t| out.instant(t)).unwrap_or_else(|| out.t("从未", "never").to_string()),
                out.t("待同步", "Waiting"),
                s.waiting,
                s.last_error.as_ref().map(|e| format!("\n{} {e}", out.t("上次错误", "Last error"))).unwrap_or_default()
            );
            if !s.refused.is_empty() {
                text.push_str(&format!("\n{}", out.t("被区平台拒绝的更改：", "Changes the server refused:")));
            }
            for r in &s.refused {
                let booking = r.booking_id.as_ref().map(|b| format!(" {} {b}", out.t("预约", "booking"))).unwrap_or_default();
                text.push_str(&format!("\n  {} {}{booking}: {} ({})", out.instant(r.at), r.name, r.message, r.code));
            }
            text
        }
    })
}
