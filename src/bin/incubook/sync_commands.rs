//! `connect`, `sync` and `sync-status`: the district server, from the command line.

use std::io::BufRead;

use chrono::{DateTime, Utc};
use incubook::store::Store;
use incubook::sync::client::SyncStatus;
use incubook::sync::http::HttpTransport;
use incubook::{CoreError, Result};

use crate::output::Output;

fn password() -> Result<String> {
    if let Ok(password) = std::env::var("INCUBOOK_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(CoreError::invalid("password", "give the password on stdin or in INCUBOOK_PASSWORD"));
    }
    Ok(password)
}

pub fn connect(store: &mut Store, url: &str, user: &str, out: &Output, now: DateTime<Utc>) -> Result<()> {
    let http = HttpTransport::new(url)?;
    let signed_in = http.sign_in(user.trim(), &password()?)?;
    store.connect_sync(url.trim().trim_end_matches('/'), user.trim(), &signed_in.user.person_id, &signed_in.token)?;
    let report = store.sync_once(&http, now)?;
    let status = store.sync_status()?;
    out.show(&serde_json::json!({"person_id": signed_in.user.person_id, "report": report, "status": status}), || {
        format!(
            "{} {url} ({user})\n{} {}  {} {}\n{} --as {}",
            out.t("已连接区平台", "Connected to the district server"),
            out.t("收到", "received"),
            report.pulled,
            out.t("待同步", "waiting"),
            report.waiting,
            out.t("以本人身份操作：", "Act as yourself with:"),
            signed_in.user.person_id
        )
    })
}

pub fn sync(store: &mut Store, out: &Output, now: DateTime<Utc>) -> Result<()> {
    let status = store
        .sync_status()?
        .ok_or_else(|| CoreError::invalid("sync", "not connected; run `incubook connect URL --user NAME` first"))?;
    let http = HttpTransport::new(&status.server_url)?;
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
        for code in &report.refused {
            text.push_str(&format!("\n{} {code}", out.t("区平台拒绝：", "refused by the server:")));
        }
        text
    })
}

pub fn status(store: &Store, out: &Output) -> Result<()> {
    let status: Option<SyncStatus> = store.sync_status()?;
    out.show(&status, || match &status {
        None => out.t("未连接区平台。", "Not connected to a district server.").to_string(),
        Some(s) => format!(
            "{} {} ({})\n{} {}\n{} {}{}",
            out.t("区平台", "Server"),
            s.server_url,
            s.username,
            out.t("上次同步", "Last sync"),
            s.last_sync_at.map(|t| out.instant(t)).unwrap_or_else(|| out.t("从未", "never").to_string()),
            out.t("待同步", "Waiting"),
            s.waiting,
            s.last_error.as_ref().map(|e| format!("\n{} {e}", out.t("上次错误", "Last error"))).unwrap_or_default()
        ),
    })
}
