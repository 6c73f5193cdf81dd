//! The HTTP API under `/v1`. Handlers validate their input at the edge, run storage work on
//! the blocking pool, and answer errors as `{code, message}`.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};

use incubook_core::clock::Clock;
use incubook_core::protocol::{PullResponse, PushRequest, PushResponse, PushedMutation};

use crate::auth;
use crate::db::{Database, Principal};
use crate::error::{Result, ServerError};
use crate::push_limit::PushLimit;
use crate::sign_in::{self, SignInGuard};

/// Request bodies above this get 413; clients size their pushes by it.
pub const BODY_LIMIT_BYTES: usize = incubook_core::protocol::MAX_REQUEST_BYTES;

/// A sign-in is a username and a password: its body is small, and it is read before anyone
/// is known.
pub const SIGN_IN_BODY_LIMIT_BYTES: usize = 4 * 1024;

/// Every request, its body included, is answered within this: a client that sends its body
/// a byte at a time cannot hold a connection (and a slot of the listener) for longer.
pub const REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
pub struct AppState {
    pub db: Arc<dyn Database>,
    /// Every handler's "now": deadlines, tokens, bookings' notice, report dates.
    pub clock: Clock,
    /// [`REQUEST_DEADLINE`] unless a test asks for less.
    pub request_deadline: std::time::Duration,
    sign_in: Arc<SignInGuard>,
    push_limit: Arc<PushLimit>,
}

impl AppState {
    pub fn with_request_deadline(self, request_deadline: std::time::Duration) -> AppState {
        AppState { request_deadline, ..self }
    }

    pub fn new(db: Arc<dyn Database>, clock: Clock) -> AppState {
        AppState {
            db,
            clock,
            request_deadline: REQUEST_DEADLINE,
            sign_in: Arc::new(SignInGuard::default()),
            push_limit: Arc::new(PushLimit::default()),
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route(
            "/v1/session",
            post(sign_in).layer(DefaultBodyLimit::max(SIGN_IN_BODY_LIMIT_BYTES)).layer(axum::middleware::from_fn(declared_small)),
        )
        .route("/v1/session/revoke", post(sign_out))
        .route("/v1/me", get(me))
        .route("/v1/push", post(push))
        .route("/v1/pull", get(pull))
        .route("/v1/notices", get(notices).post(publish_notice))
        .route("/v1/reports/district", get(district_report))
        .route("/v1/reports/indicators", get(indicators))
        .route("/v1/startups", get(startups))
        .route("/v1/reports/kpi", get(year_figures))
        .route("/v1/makerspaces", get(makerspaces))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.request_deadline, within_deadline))
        // A span per request (method, path, status, latency); the handlers' own spans nest in it.
        .layer(tower_http::trace::TraceLayer::new_for_http())
        // A first pull is tens of megabytes of repetitive JSON: gzip when the client asks, at
        // the fastest level (it still shrinks pull pages about eightfold). A push's answer of
        // a hundred bytes would only pay for setting up the compressor: small answers go as
        // they are.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(SizeAbove::new(1024).and(NotForContentType::IMAGES)),
        )
        // A panic in a handler answers this request 500 `{code, message}`; the server and
        // every other request go on.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|panic: Box<dyn std::any::Any + Send>| {
            ServerError::Panicked(crate::error::panic_message(&*panic)).into_response()
        }))
        .with_state(state)
}

/// Answers 408 `{code, message}` when a request (reading its body included) outlasts
/// [`REQUEST_DEADLINE`]; dropping it closes the connection.
async fn within_deadline(
    State(deadline): State<std::time::Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ServerError::TimedOut(deadline.as_secs()).into_response(),
    }
}

/// A sign-in that declares a body larger than [`SIGN_IN_BODY_LIMIT_BYTES`] is answered 413
/// before a byte of it is read (the body limit alone would wait for the bytes to come).
async fn declared_small(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > SIGN_IN_BODY_LIMIT_BYTES) {
        return ServerError::TooLarge.into_response();
    }
    next.run(request).await
}

/// Runs storage work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ServerError::Internal(e.to_string()))?
}

/// JSON bodies whose rejections (malformed, wrong types, unknown fields, too large) become
/// `{code, message}` instead of axum's plain text.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ServerError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(ServerError::Invalid(e.body_text())),
            Err(JsonRejection::BytesRejection(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ServerError::TooLarge),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ServerError::TooLarge),
            Err(e) => Err(ServerError::BadRequest(e.body_text())),
        }
    }
}

/// The signed-in caller, from `Authorization: Bearer <token>`; 401 otherwise. Keeps the
/// token's hash, for signing out.
pub struct Caller(pub Principal, String);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ServerError::Unauthorized)?
            .to_string();
        let db = state.db.clone();
        let hash = auth::token_hash(&token);
        let looked_up = hash.clone();
        let now = state.clock.now().timestamp();
        let principal = blocking(move || db.principal_for_token(&looked_up, now)).await?;
        principal.map(|p| Caller(p, hash)).ok_or(ServerError::Unauthorized)
    }
}

/// The address the request came from, when the listener knows it (not in `oneshot` tests).
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Ok(ClientAddress(parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())))
    }
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
}

/// Healthy only when the database answers on the connections requests use: a server whose
/// store is broken says so (503) instead of "ok".
#[tracing::instrument(skip_all, err(level = "info"))]
async fn health(State(state): State<AppState>) -> Result<Json<Health>> {
    let db = state.db.clone();
    blocking(move || db.health()).await.map_err(|e| ServerError::Unavailable(e.to_string()))?;
    Ok(Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION") }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct Session {
    token: String,
    expires_at: i64,
    user: Principal,
}

#[tracing::instrument(skip_all, err(level = "info"))]
async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Json<Session>> {
    let username = body.username.trim().to_string();
    if username.is_empty() || username.len() > 100 || body.password.len() > 1000 {
        return Err(ServerError::Invalid("username and password are required".into()));
    }
    state.sign_in.admit(&username, address)?;
    let _turn = state.sign_in.turn().await?;
    // Tries that queued while their limit was spent are answered without hashing.
    state.sign_in.admit(&username, address)?;
    let (db, guard, now) = (state.db.clone(), state.sign_in.clone(), state.clock.now().timestamp());
    let session = blocking(move || {
        let account = db.account_by_username(&username)?;
        // The same answer, after the same work, for an unknown user and a wrong password.
        if !sign_in::verify(&body.password, account.as_ref().map(|a| a.password_hash.as_str())) {
            tracing::warn!(username, address = ?address, "sign-in failed");
            guard.failed(&username, address);
            return Err(ServerError::Unauthorized);
        }
        let account = account.ok_or(ServerError::Unauthorized)?;
        guard.succeeded(&username, address);
        let token = auth::new_token();
        let expires_at = now + auth::TOKEN_LIFETIME_SECONDS;
        db.create_token(&account.id, &auth::token_hash(&token), expires_at, now)?;
        let user = db.principal_for_token(&auth::token_hash(&token), now)?.ok_or(ServerError::Unauthorized)?;
        Ok(Session { token, expires_at, user })
    })
    .await?;
    Ok(Json(session))
}

/// Signs the caller's token out; the desktop's "disconnect" calls it.
#[tracing::instrument(skip_all, err(level = "info"))]
async fn sign_out(State(state): State<AppState>, Caller(_, token_hash): Caller) -> Result<StatusCode> {
    let db = state.db.clone();
    blocking(move || db.revoke_token(&token_hash)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[tracing::instrument(skip_all)]
async fn me(Caller(principal, _): Caller) -> Json<Principal> {
    Json(principal)
}

#[tracing::instrument(skip_all, err(level = "info"))]
async fn push(
    State(state): State<AppState>,
    Caller(principal, _): Caller,
    ApiJson(body): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>> {
    if body.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(ServerError::Invalid(format!("push at most {MAX_PUSH_MUTATIONS} mutations at once")));
    }
    // The budget counts rows, not requests: a series of 52 times costs what 52 bookings do.
    let weight = body.mutations.iter().map(PushedMutation::weight).sum();
    state.push_limit.admit(&principal.person_id, weight)?;
    let (db, now) = (state.db.clone(), state.clock.now());
    let response = blocking(move || db.push(&principal.person_id, &body, now)).await?;
    Ok(Json(response))
}

/// A push carries at most this many mutations; clients send their outbox in batches.
pub const MAX_PUSH_MUTATIONS: usize = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PullQuery {
    cursor: i64,
    client_id: Option<String>,
    limit: Option<u32>,
}

#[tracing::instrument(skip_all, err(level = "info"))]
async fn pull(
    State(state): State<AppState>,
    Caller(principal, _): Caller,
    query: std::result::Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>> {
    let Query(query) = query.map_err(|e| ServerError::BadRequest(e.body_text()))?;
    if query.cursor < 0 {
        return Err(ServerError::Invalid("cursor must not be negative".into()));
    }
    let db = state.db.clone();
    let limit = query.limit.unwrap_or(incubook_core::protocol::MAX_PULL_PAGE);
    let page = blocking(move || db.pull(&principal.person_id, query.client_id.as_deref(), query.cursor, limit)).await?;
    Ok(Json(page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewNotice {
    title: String,
    body: String,
}

/// Only district operators publish policy notices.
#[tracing::instrument(skip_all, err(level = "info"))]
async fn publish_notice(
    State(state): State<AppState>,
    Caller(principal, _): Caller,
    ApiJson(body): ApiJson<NewNotice>,
) -> Result<(StatusCode, Json<incubook_sqlite::store::Notice>)> {
    if !principal.is_district_operator() {
        return Err(ServerError::Forbidden("only district operators publish notices".into()));
    }
    let (db, now) = (state.db.clone(), state.clock.now());
    let notice = blocking(move || db.publish_notice(&principal.person_id, &body.title, &body.body, now)).await?;
    Ok((StatusCode::CREATED, Json(notice)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticesQuery {
    limit: Option<u32>,
}

#[tracing::instrument(skip_all, err(level = "info"))]
async fn notices(
    State(state): State<AppState>,
    Caller(..): Caller,
    query: std::result::Result<Query<NoticesQuery>, QueryRejection>,
) -> Result<Json<Vec<incubook_sqlite::store::Notice>>> {
    let Query(query) = query.map_err(|e| ServerError::BadRequest(e.body_text()))?;
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let db = state.db.clone();
    Ok(Json(blocking(move || db.notices(limit)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    from: String,
    to: String,
}

/// Mentor hours and equipment use per makerspace, for district operators.
#[tracing::instrument(skip_all, err(level = "info"))]
async fn district_report(
    State(state): State<AppState>,
    Caller(principal, _): Caller,
    query: std::result::Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<incubook_sqlite::report::DistrictReport>> {
    if !principal.is_district_operator() {
        return Err(ServerError::Forbidden("the district report is for district operators".into()));
    }
    let Query(query) = query.map_err(|e| ServerError::BadRequest(e.body_text()))?;
    let from = incubook_core::domain::parse_date("from", &query.from)?;
    let to = incubook_core::domain::parse_date("to", &query.to)?;
    if to < from || (to - from).num_days() > 366 {
        return Err(ServerError::Invalid("give a range of at most one year, from ≤ to".into()));
    }
    let db = state.db.clone();
    Ok(Json(blocking(move || db.district_report(from, to)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorQuery {
    from: String,
    to: String,
    /// instrument (the default), lab or makerspace.
    by: Option<String>,
    /// `true`: each figure lists the ids of its sessions.
    sessions: Option<bool>,
}

/// The district's sharing figures (有效工作机时, 对外服务机时, 共享率, income, users…), for
/// district operators.
#[tracing::instrument(skip_all, err(level = "info"))]
async fn indicators(
    State(state): State<AppState>,
    Caller(principal, _): Caller,
    query: std::result::Result<Query<IndicatorQuery>, QueryRejection>,
) -> Result<Json<incubook_sqlite::indicators::IndicatorReport>> {
    if !principal.is_district_operator() {
        return Err(ServerError::Forbidden("the district's figures are for district operators".into()));
    }
    let Query(query) = query.map_err(|e| ServerError::BadRequest(e.body_text()))?;
    let from = incubook_core::domain::parse_date("from", &query.from)?;
    let to = incubook_core::domain::parse_date("to", &query.to)?;
    if to < from || (to - from).num_days() > 366 {
        return Err(ServerError::Invalid("give a range of at most one year, from ≤ to".into()));
    }
    let by = incubook_sqlite::indicators::GroupBy::parse(query.by.as_deref().unwrap_or("instrument"))?;
    let (db, now) = (state.db.clone(), state.clock.now());
    Ok(Json(blocking(move || db.indicators((from, to), by, query.sessions.unwrap_or(false), now)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearQuery {
    year: i32,
}

/// Every makerspace's yearly figures side by side, for district operators.
#[tracing::instrument(skip_all, err(level = "info"))]
async fn year_figures(
    State(state): State<AppState>,
    Caller(principal, _): Caller,
    query: std::result::Result<Query<YearQuery>, QueryRejection>,
) -> Result<Json<Vec<incubook_core::kpi::YearFigures>>> {
    if !principal.is_district_operator() {
        return Err(ServerError::Forbidden("the district's yearly figures are for district operators".into()));
    }
    let Query(query) = query.map_err(|e| ServerError::BadRequest(e.body_text()))?;
    if !(2000..=2100).contains(&query.year) {
        return Err(ServerError::Invalid("give a year between 2000 and 2100".into()));
    }
    let (db, now) = (state.db.clone(), state.clock.now());
    Ok(Json(blocking(move || db.year_figures(query.year, now)).await?))
}

/// The district's startup database (科技创新企业数据库), for district operators: by industry,
/// stage, kind, residency and credit code. Everyone else sees startups through pull, with
/// only the public fields of those they are not in.
#[tracing::instrument(skip_all, err(level = "info"))]
async fn startups(
    State(state): State<AppState>,
    Caller(principal, _): Caller,
    query: std::result::Result<Query<incubook_core::startup::StartupFilter>, QueryRejection>,
) -> Result<Json<Vec<incubook_core::startup::StartupRecord>>> {
    if !principal.is_district_operator() {
        return Err(ServerError::Forbidden("the district's startup database is for district operators".into()));
    }
    let Query(filter) = query.map_err(|e| ServerError::BadRequest(e.body_text()))?;
    let db = state.db.clone();
    let today = state.clock.today();
    Ok(Json(blocking(move || db.startups(&filter, today)).await?))
}

/// The district's makerspaces and how much of each one's catalogue the server has: a space
/// admin's app uploads its own when the server has none.
#[tracing::instrument(skip_all, err(level = "info"))]
async fn makerspaces(
    State(state): State<AppState>,
    Caller(..): Caller,
) -> Result<Json<Vec<incubook_sqlite::upload::MakerspaceSummary>>> {
    let db = state.db.clone();
    Ok(Json(blocking(move || db.makerspaces()).await?))
}
