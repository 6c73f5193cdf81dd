//! The listener itself: HTTPS with a district's own certificate authority (and nothing in
//! clear on that port), a deadline for request headers, and a cap on connections that holds
//! the next client back instead of letting idle ones starve the server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use incubook::sync::http::HttpTransport;
use incubook_server::auth;
use incubook_server::db::{self, Database, ServerRole};
use incubook_server::listen::{Limits, tls_acceptor};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

struct Served {
    _dir: tempfile::TempDir,
    address: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A server with one account, `zhang`, on a loopback port; over TLS when given the PEM
/// files of a certificate and its key.
fn serve(tls: Option<(&[u8], &[u8])>, limits: Limits) -> Served {
    let dir = ok(tempfile::tempdir());
    let db: Arc<dyn Database> = ok(db::open(&format!("sqlite:{}", dir.path().join("district.db").display())));
    ok(db.add_makerspace("PD-0001", "张江众创空间"));
    ok(db.add_account("PD-0001", "zhang", &ok(auth::hash_password("correct horse")), &[ServerRole::Founder], None, 0));
    let acceptor = tls.map(|(cert, key)| {
        let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        ok(std::fs::write(&cert_path, cert));
        ok(std::fs::write(&key_path, key));
        ok(tls_acceptor(&cert_path, &key_path))
    });
    let runtime = ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build());
    let listener = ok(runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")));
    let address = ok(listener.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let _ = runtime.block_on(incubook_server::serve_with_limits(
            listener,
            (db, incubook_core::clock::Clock::System),
            acceptor,
            limits,
            async move {
                let _ = stopped.await;
            },
        ));
    });
    Served { _dir: dir, address, stop: Some(stop), thread: Some(thread) }
}

#[test]
fn https_with_the_districts_own_certificate_authority() {
    let certified = ok(rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]));
    let (cert, key) = (certified.cert.pem(), certified.signing_key.serialize_pem());
    let served = serve(Some((cert.as_bytes(), key.as_bytes())), Limits::default());
    let base = format!("https://{}", served.address);

    let trusting = ok(HttpTransport::trusting(&base, cert.as_bytes()));
    let signed_in = ok(trusting.sign_in("zhang", "correct horse"));
    let me: serde_json::Value = ok(trusting.get(&signed_in.token, "/v1/me"));
    assert_eq!(me["username"], "zhang");

    // Without the district's authority the certificate is not taken, and nothing is sent.
    let public_roots = ok(HttpTransport::new(&base));
    let refused = public_roots.sign_in("zhang", "correct horse");
    let refused = refused.err().map(|e| (e.code(), e.to_string()));
    assert_eq!(refused.as_ref().map(|(code, _)| code.as_str()), Some("invalid.server_url"), "{refused:?}");
    // Nothing in clear on the TLS port: a plain request gets no HTTP answer.
    let plain = ok(HttpTransport::new(&format!("http://{}", served.address)));
    assert!(plain.sign_in("zhang", "correct horse").is_err());
    // A file that is no certificate is refused with its reason.
    let bad = HttpTransport::trusting(&base, b"not a certificate");
    assert_eq!(bad.err().map(|e| e.code()).as_deref(), Some("invalid.ca_cert"));
}

/// A client that opens a connection and sends half a request line is cut off at the header
/// deadline; the others are served meanwhile.
#[test]
fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let limits = Limits { header_read_timeout: Duration::from_millis(500), ..Limits::default() };
    let served = serve(None, limits);
    let mut slow = ok(TcpStream::connect(served.address));
    ok(slow.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n"));
    ok(slow.set_read_timeout(Some(Duration::from_secs(20))));
    let plain = ok(HttpTransport::new(&format!("http://{}", served.address)));
    let health: serde_json::Value = ok(plain.get("", "/v1/health"));
    assert_eq!(health["status"], "ok");
    let mut answer = Vec::new();
    // The server closes the connection: the read ends (EOF or reset), it does not time out.
    let ended = slow.read_to_end(&mut answer);
    assert!(
        !matches!(&ended, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "the connection was still open after 20 s"
    );
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"), "no answer to a request never finished");
}

/// With every connection slot held by idle clients, the next client is not served; it is
/// as soon as one of them goes.
#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let limits = Limits { max_connections: 2, header_read_timeout: Duration::from_secs(60), ..Limits::default() };
    let served = serve(None, limits);
    // Accepted in the order they connect: these two take both slots.
    let mut idle: Vec<TcpStream> = (0..2).map(|_| ok(TcpStream::connect(served.address))).collect();
    let mut waiting = ok(TcpStream::connect(served.address));
    ok(waiting.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    ok(waiting.set_read_timeout(Some(Duration::from_secs(2))));
    let mut first = [0u8; 64];
    let early = waiting.read(&mut first);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "answered while both slots were held: {early:?}"
    );
    idle.pop();
    ok(waiting.set_read_timeout(Some(Duration::from_secs(20))));
    let mut answer = String::new();
    ok(waiting.read_to_string(&mut answer));
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}
