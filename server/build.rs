// refinery embeds the PostgreSQL migrations at compile time: a new file must rebuild the server.
fn main() {
    println!("cargo:rerun-if-changed=../migrations/postgres");
}
