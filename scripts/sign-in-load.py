#!/usr/bin/env python3
"""Sign-in under attack, as a whole process: a real incubook-server on SQLite, 200 parallel
wrong-password sign-ins from 127.0.0.1, then a correct sign-in from 127.0.0.2 while they run.

Prints the server's peak RSS (VmHWM) and resident RSS after the flood, how the 200 were
answered, and how long the correct sign-in took. Usage:

    scripts/sign-in-load.py [PATH_TO_incubook-server]   # default: $CARGO_TARGET_DIR/debug/...
"""

import collections
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

ATTEMPTS = 200


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign_in(port, username, password, source="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    body = json.dumps({"username": username, "password": password})
    conn.request("POST", "/v1/session", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def main():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/incubook/target"))
    server = sys.argv[1] if len(sys.argv) > 1 else os.path.join(target, "debug", "incubook-server")
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:{tmp}/district.db"
        run = lambda *args, **kw: subprocess.run([server, "--db", db, *args], check=True, capture_output=True, **kw)
        run("admin", "add-makerspace", "--code", "PD-0001", "--name", "load")
        for user in ("victim", "other"):
            run("admin", "add-user", "--makerspace", "PD-0001", "--username", user, "--password-stdin",
                "--roles", "founder", input=b"correct horse battery")
        port = free_port()
        proc = subprocess.Popen([server, "--db", db, "serve", "--listen", f"127.0.0.1:{port}"],
                                stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            before = rss_kib(proc.pid, "VmRSS")
            answers = collections.Counter()
            lock = threading.Lock()

            def attack():
                status = sign_in(port, "victim", "wrong password")
                with lock:
                    answers[status] += 1

            threads = [threading.Thread(target=attack) for _ in range(ATTEMPTS)]
            for t in threads:
                t.start()
            time.sleep(0.2)
            started = time.monotonic()
            good = sign_in(port, "victim", "correct horse battery", source="127.0.0.2")
            good_seconds = time.monotonic() - started
            for t in threads:
                t.join()
            print(f"server RSS before: {before / 1024:.0f} MiB; peak (VmHWM): {rss_kib(proc.pid, 'VmHWM') / 1024:.0f} MiB; "
                  f"after: {rss_kib(proc.pid, 'VmRSS') / 1024:.0f} MiB")
            print(f"{ATTEMPTS} wrong sign-ins from 127.0.0.1 answered: {dict(sorted(answers.items()))}")
            print(f"correct sign-in from 127.0.0.2 during the flood: HTTP {good} in {good_seconds:.2f} s")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
