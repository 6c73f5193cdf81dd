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

/// A connection from `from` (any 127.x address is this machine) to the server.
fn connect_from(from: [u8; 4], to: std::net::SocketAddr) -> TcpStream {
    let socket = ok(socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None));
    ok(socket.bind(&std::net::SocketAddr::from((from, 0)).into()));
    ok(socket.connect(&to.into()));
    socket.into()
}

/// The review's N3: connections that send their headers in time and then their body a byte
/// at a time. One address holds at most its share of the listener (the rest are closed at
/// once), each slow request is answered 408 at the deadline and its connection closed, and
/// another address is served throughout.
#[test]
fn slow_bodies_from_one_address_cannot_starve_the_server() {
    let limits = Limits {
        max_connections: 16,
        max_per_address: 8,
        request_deadline: Duration::from_secs(2),
        header_read_timeout: Duration::from_secs(10),
        ..Limits::default()
    };
    let served = serve(None, limits);
    // Any account may push; the attacker signs in once.
    let plain = ok(HttpTransport::new(&format!("http://{}", served.address)));
    let token = ok(plain.sign_in("zhang", "correct horse")).token;
    let head = format!(
        "POST /v1/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{"
    );
    let head = head.as_bytes();
    let mut slow: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut stream = connect_from([127, 0, 0, 2], served.address);
            let _ = stream.write_all(head);
            ok(stream.set_read_timeout(Some(Duration::from_secs(20))));
            stream
        })
        .collect();
    // The next byte of each body, as a slow client sends it.
    for stream in &mut slow {
        let _ = stream.write_all(b" ");
    }
    // Another address is served while they hold their share.
    for _ in 0..3 {
        let health: serde_json::Value = ok(plain.get("", "/v1/health"));
        assert_eq!(health["status"], "ok");
    }
    // Every slow connection ends: closed at once beyond the address's share, else answered
    // 408 at the deadline.
    let mut timed_out = 0;
    for mut stream in slow {
        let mut answer = Vec::new();
        let ended = stream.read_to_end(&mut answer);
        assert!(
            !matches!(&ended, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
            "a slow connection was still open after 20 s"
        );
        if String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408") {
            timed_out += 1;
        }
    }
    assert_eq!(timed_out, 8, "the address's share was held until the deadline, the rest refused");
}

/// A sign-in's body is read before anyone is known: a large one is refused before it is read.
#[test]
fn a_large_sign_in_body_is_refused_unread() {
    let served = serve(None, Limits::default());
    let mut stream = ok(TcpStream::connect(served.address));
    ok(stream
        .write_all(b"POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"));
    ok(stream.set_read_timeout(Some(Duration::from_secs(20))));
    let mut answer = [0u8; 64];
    let n = ok(stream.read(&mut answer));
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 413"), "{}", String::from_utf8_lossy(&answer[..n]));
}
