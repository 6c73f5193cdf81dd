//! The HTTP transport to the district server (JSON over `/v1`, bearer token).

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::client::Transport;
use super::{PullResponse, PushRequest, PushResponse};
use crate::error::{CoreError, Result};

pub struct HttpTransport {
    base: String,
    agent: ureq::Agent,
}

/// The server's `{code, message}` error body.
#[derive(serde::Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
}

/// The signed-in user, as `POST /v1/session` answers.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SignedIn {
    pub token: String,
    pub expires_at: i64,
    pub user: SignedInUser,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct SignedInUser {
    pub person_id: String,
    pub username: String,
    pub roles: Vec<(String, String)>,
}

impl HttpTransport {
    /// `base` is the server's address, like `http://district.example:8080`.
    pub fn new(base: &str) -> Result<HttpTransport> {
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 10 {
            return Err(CoreError::invalid("server_url", "give the server's address, like http://district.example:8080"));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Ok(HttpTransport { base, agent })
    }

    pub fn sign_in(&self, username: &str, password: &str) -> Result<SignedIn> {
        let body = serde_json::json!({"username": username, "password": password});
        let response = self.agent.post(format!("{}/v1/session", self.base)).send_json(&body);
        answer(response)
    }

    /// The district's makerspaces, with how much catalogue the server has for each.
    pub fn makerspaces(&self, token: &str) -> Result<Vec<super::upload::MakerspaceSummary>> {
        self.get(token, "/v1/makerspaces")
    }

    fn post<B: Serialize, T: DeserializeOwned>(&self, token: &str, path: &str, body: &B) -> Result<T> {
        let response =
            self.agent.post(format!("{}{path}", self.base)).header("Authorization", format!("Bearer {token}")).send_json(body);
        answer(response)
    }

    pub fn get<T: DeserializeOwned>(&self, token: &str, path_and_query: &str) -> Result<T> {
        let response =
            self.agent.get(format!("{}{path_and_query}", self.base)).header("Authorization", format!("Bearer {token}")).call();
        answer(response)
    }
}

fn answer<T: DeserializeOwned>(response: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<T> {
    let mut response = response.map_err(|e| CoreError::Offline(e.to_string()))?;
    let status = response.status();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| CoreError::Offline(e.to_string()))?;
    if status.is_success() {
        return serde_json::from_str(&body)
            .map_err(|e| CoreError::Remote { code: "sync.bad_answer".into(), message: e.to_string() });
    }
    Err(match serde_json::from_str::<ErrorBody>(&body) {
        Ok(e) => CoreError::Remote { code: e.code, message: e.message },
        Err(_) => CoreError::Remote { code: format!("http.{}", status.as_u16()), message: body.chars().take(200).collect() },
    })
}

impl Transport for HttpTransport {
    fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse> {
        self.post(token, "/v1/push", request)
    }

    fn pull(&self, token: &str, client_id: &str, cursor: i64) -> Result<PullResponse> {
        self.get(token, &format!("/v1/pull?cursor={cursor}&client_id={client_id}"))
    }
}
