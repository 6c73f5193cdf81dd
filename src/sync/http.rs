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

impl SignedInUser {
    pub fn is_district_operator(&self) -> bool {
        self.roles.iter().any(|(_, role)| role == "district_operator")
    }
}

impl HttpTransport {
    /// `base` is the server's address, like `https://district.example:8443`. Plain `http://`
    /// is taken only for this machine (loopback): anywhere else it would carry passwords and
    /// tokens in clear.
    pub fn new(base: &str) -> Result<HttpTransport> {
        HttpTransport::open(base, false)
    }

    /// Like `new`, but takes plain `http://` to any host (`--insecure-http`): for a test
    /// network, never for real accounts.
    pub fn new_allowing_plain_http(base: &str) -> Result<HttpTransport> {
        HttpTransport::open(base, true)
    }

    /// Like `new`, but trusts the certificate authority in `ca_pem` (PEM) instead of the
    /// public roots: a district that signs its server's certificate itself.
    pub fn trusting(base: &str, ca_pem: &[u8]) -> Result<HttpTransport> {
        HttpTransport::open_with(base, false, roots_from_pem(ca_pem)?)
    }

    fn open(base: &str, plain_http_anywhere: bool) -> Result<HttpTransport> {
        // A district with its own certificate authority names it once for every command.
        let roots = match std::env::var_os("INCUBOOK_CA_CERT") {
            Some(path) => roots_from_pem(&std::fs::read(&path).map_err(|e| {
                CoreError::invalid("ca_cert", format!("cannot read INCUBOOK_CA_CERT {}: {e}", path.to_string_lossy()))
            })?)?,
            None => ureq::tls::RootCerts::WebPki,
        };
        HttpTransport::open_with(base, plain_http_anywhere, roots)
    }

    fn open_with(base: &str, plain_http_anywhere: bool, roots: ureq::tls::RootCerts) -> Result<HttpTransport> {
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 10 {
            return Err(CoreError::invalid("server_url", "give the server's address, like https://district.example:8443"));
        }
        if base.starts_with("http://") && !plain_http_anywhere && !is_loopback(&base) {
            return Err(CoreError::invalid(
                "server_url",
                "use https:// for a server on another machine: http:// sends passwords in clear (--insecure-http allows it on a test network)",
            ));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(120)))
            .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
            .build()
            .into();
        Ok(HttpTransport { base, agent })
    }

    pub fn sign_in(&self, username: &str, password: &str) -> Result<SignedIn> {
        let body = serde_json::json!({"username": username, "password": password});
        let response = self.agent.post(format!("{}/v1/session", self.base)).send_json(&body);
        answer(response)
    }

    /// Revokes the token on the server (sign-out): a copy of it left anywhere is dead.
    pub fn sign_out(&self, token: &str) -> Result<()> {
        let response = self
            .agent
            .post(format!("{}/v1/session/revoke", self.base))
            .header("Authorization", format!("Bearer {token}"))
            .send_empty();
        match response {
            Ok(r) if r.status().is_success() => Ok(()),
            other => answer::<serde_json::Value>(other).map(drop),
        }
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

    /// Every makerspace's yearly figures as the server adds them up (district operators only).
    pub fn district_year_figures(&self, token: &str, year: i32) -> Result<Vec<incubook_core::kpi::YearFigures>> {
        self.get(token, &format!("/v1/reports/kpi?year={year}"))
    }

    pub fn get<T: DeserializeOwned>(&self, token: &str, path_and_query: &str) -> Result<T> {
        let response =
            self.agent.get(format!("{}{path_and_query}", self.base)).header("Authorization", format!("Bearer {token}")).call();
        answer(response)
    }
}

/// The certificates of a PEM file, as the only roots a connection trusts.
fn roots_from_pem(pem: &[u8]) -> Result<ureq::tls::RootCerts> {
    let mut roots = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => roots.push(cert),
            Ok(_) => {}
            Err(e) => return Err(CoreError::invalid("ca_cert", format!("not a PEM certificate: {e}"))),
        }
    }
    if roots.is_empty() {
        return Err(CoreError::invalid("ca_cert", "the file holds no certificate"));
    }
    Ok(ureq::tls::RootCerts::new_with_certs(&roots))
}

/// Whether an `http://…` address names this machine: `localhost`, 127.0.0.0/8 or `[::1]`.
fn is_loopback(base: &str) -> bool {
    let rest = base.trim_start_matches("http://");
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A server that could not be reached is offline (the next round tries again); one whose
/// certificate is not trusted is not, and the user is told what to do.
fn unreachable(error: ureq::Error) -> CoreError {
    match error {
        // rustls reports a refused certificate (or a server that does not speak TLS) to the
        // stream as invalid data; a network that is down fails otherwise.
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) => untrusted(&error),
        ureq::Error::Io(ref e) if e.kind() == std::io::ErrorKind::InvalidData => untrusted(&error),
        other => CoreError::Offline(other.to_string()),
    }
}

fn untrusted(error: &ureq::Error) -> CoreError {
    CoreError::invalid(
        "server_url",
        format!(
            "the server's certificate is not trusted ({error}); a district with its own certificate authority sets INCUBOOK_CA_CERT"
        ),
    )
}

fn answer<T: DeserializeOwned>(response: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<T> {
    let mut response = response.map_err(unreachable)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_goes_only_to_this_machine() {
        for ok in ["http://127.0.0.1:8080", "http://localhost:8080/", "http://[::1]:8080", "https://district.example"] {
            assert!(HttpTransport::new(ok).is_ok(), "{ok}");
        }
        for refused in ["http://192.168.1.20:8080", "http://district.example", "http://127.0.0.1.evil.example:80"] {
            let error = HttpTransport::new(refused).err().map(|e| e.code());
            assert_eq!(error.as_deref(), Some("invalid.server_url"), "{refused}");
            assert!(HttpTransport::new_allowing_plain_http(refused).is_ok(), "{refused}");
        }
    }
}
