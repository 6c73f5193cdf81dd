//! The lab's kiosk (`--kiosk`): today's bookings of one lab, check-in by the code on a
//! booking, check-out, and walking up to a free instrument; and the code a founder shows.

use incubook::store::{KioskDay, UsageSession, WalkUpAsked};
use incubook::usage::{CHECK_IN_QR_PREFIX, Purpose};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::{AppState, KIOSK_LAB_KEY};

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn kiosk_day(state: State<'_, AppState>, lab_id: String) -> IpcResult<KioskDay> {
    state.run(move |store, session| Ok(store.kiosk_day(&lab_id, session.now())?)).await
}

/// The lab this kiosk serves, remembered across starts.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_kiosk_lab(state: State<'_, AppState>, lab_id: String) -> IpcResult<()> {
    state
        .run(move |store, session| {
            store.kiosk_day(&lab_id, session.now())?;
            Ok(store.set_setting(KIOSK_LAB_KEY, &lab_id)?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn kiosk_check_in(
    state: State<'_, AppState>,
    lab_id: String,
    code: String,
    purpose: Purpose,
) -> IpcResult<UsageSession> {
    state.run(move |store, session| Ok(store.check_in_by_code(&session.actor()?, &lab_id, &code, purpose, session.now())?)).await
}

/// Checks in, at the kiosk, the person with this phone number and kiosk PIN.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn kiosk_check_in_pin(
    state: State<'_, AppState>,
    lab_id: String,
    phone: String,
    pin: String,
    purpose: Purpose,
) -> IpcResult<UsageSession> {
    state
        .run(move |store, session| {
            Ok(store.check_in_by_pin(&session.actor()?, &lab_id, (&phone, &pin), purpose, session.now())?)
        })
        .await
}

/// Sets (or clears) the acting person's own kiosk PIN (Settings). Never someone else's from
/// the app: a kiosk is used by anyone in the lab, and a form there would let anyone reset
/// anyone's PIN; a lab manager sets one for a person of their makerspace with
/// `incubook kiosk-pin set`.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_kiosk_pin(state: State<'_, AppState>, pin: Option<String>) -> IpcResult<()> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            Ok(store.set_kiosk_pin(&actor, &actor, pin.as_deref(), session.now())?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn check_out(state: State<'_, AppState>, session_id: String) -> IpcResult<UsageSession> {
    state.run(move |store, session| Ok(store.check_out(&session.actor()?, &session_id, session.now())?)).await
}

/// Someone at a free instrument, known by their phone number and kiosk PIN (a phone number
/// alone would let anyone run sessions in anyone's name), starts using it now.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn kiosk_walk_up(
    state: State<'_, AppState>,
    resource_id: String,
    phone: String,
    pin: String,
    minutes: u32,
    purpose: Purpose,
) -> IpcResult<UsageSession> {
    state
        .run(move |store, session| {
            let person_id = store.person_with_pin(&phone, &pin, session.now())?;
            let asked = WalkUpAsked { resource_id: &resource_id, person_id: &person_id, minutes, purpose, samples: 0 };
            Ok(store.walk_up(&session.actor()?, &asked, session.now())?)
        })
        .await
}

/// What a booking shows for the kiosk: its six digits, the text its QR code holds, and the QR
/// code as SVG (drawn here: the webview's frozen prototypes break the JavaScript encoders).
#[derive(Debug, Clone, Serialize, TS)]
pub struct CheckInCode {
    pub code: String,
    pub qr_text: String,
    pub qr_svg: String,
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn booking_check_in_code(state: State<'_, AppState>, booking_id: String) -> IpcResult<CheckInCode> {
    let code = state
        .run(move |store, session| {
            let actor = session.actor()?;
            Ok(store.check_in_code_for(&actor, &booking_id)?)
        })
        .await?;
    let qr_text = format!("{CHECK_IN_QR_PREFIX}{code}");
    let qr = qrcode::QrCode::new(qr_text.as_bytes())
        .map_err(|e| crate::error::IpcError::new(incubook::error::ErrorCode::Internal, e.to_string()))?;
    let svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(160, 160).build();
    // Only the <svg> element goes into the page.
    let qr_svg = svg.find("<svg").map_or(svg.clone(), |at| svg[at..].to_string());
    Ok(CheckInCode { qr_text, code, qr_svg })
}
