"""Helpers for the security tests: start `skyfuse run` (port 0, the port read
from its stderr, as tests/apps/live_test.py does), talk raw HTTP and WebSocket
from a chosen 127.0.0.x source address, read the server's RSS and CPU time,
and measure /api/stats latency from a separate process (no GIL shared with the
attacks). Python 3 standard library only; sockets on 127.0.0.1 only."""
import base64, json, os, re, resource, select, signal, socket, struct, subprocess, sys, time


class Server:
    def __init__(self, skyfuse, config, nofile=None, log=None):
        env = dict(os.environ)
        # Under ASan, freed memory waits in a quarantine (256 MB by default):
        # keep it small so that RSS shows what the server holds.
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "quarantine_size_mb=16"]))

        def limits():
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.log = open(log, "w") if log else subprocess.DEVNULL
        self.p = subprocess.Popen([skyfuse, "run", "--config", config, "--http-port", "0"], stderr=subprocess.PIPE,
                                  stdout=self.log, text=True, env=env, preexec_fn=limits)
        self.port = None
        t_end = time.time() + 60
        while time.time() < t_end and self.port is None and self.p.poll() is None:
            if not select.select([self.p.stderr], [], [], 1.0)[0]:
                continue
            line = self.p.stderr.readline()
            if self.log != subprocess.DEVNULL:
                self.log.write(line)
            m = re.search(r"http://[^:]+:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
        if self.port is None:
            raise RuntimeError(f"skyfuse run printed no address (exit {self.p.poll()})")

    def rss_mb(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def cpu_s(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        # Whatever it printed after the address (sanitizer reports included).
        rest = self.p.stderr.read()
        if self.log != subprocess.DEVNULL:
            self.log.write(rest)
            self.log.close()
        return self.p.returncode, rest


def connect(port, src="127.0.0.1", timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_response(s, head=False, timeout=5.0):
    """(status, headers, body) of one response; status 0 if closed first."""
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                return 0, {}, data
            data += chunk
    except (socket.timeout, ConnectionError):
        return 0, {}, data
    head_text, _, rest = data.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = 0 if head else int(headers.get("content-length", "0"))
    try:
        while len(rest) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
    except (socket.timeout, ConnectionError):
        pass
    return status, headers, rest


def request(port, raw, src="127.0.0.1", head=False, timeout=5.0):
    """Sends raw bytes on a new connection: (status, headers, body, seconds)."""
    t0 = time.perf_counter()
    with connect(port, src, timeout) as s:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before all was sent: the answer may still be there
        status, headers, body = read_response(s, head, timeout)
    return status, headers, body, time.perf_counter() - t0


def get(port, target, src="127.0.0.1", extra="", timeout=5.0):
    raw = f"GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{extra}\r\n".encode("latin-1")
    return request(port, raw, src, timeout=timeout)


def closed_within(s, seconds):
    """True if the server closes (or resets) the connection within the time."""
    t_end = time.time() + seconds
    while time.time() < t_end:
        s.settimeout(max(0.01, t_end - time.time()))
        try:
            if not s.recv(65536):
                return True
        except socket.timeout:
            return False
        except (ConnectionError, OSError):
            return True
    return False


def ws_connect(port, src="127.0.0.1", rcvbuf=None):
    """A WebSocket after its handshake, or None if refused."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(5)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(f"GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    status, _, _ = read_response(s, head=True)
    if status != 101:
        s.close()
        return None
    return s


def ws_frame_header(size, opcode=0x1):
    """A masked client frame's header (zero mask: the payload goes as it is)."""
    if size < 126:
        h = bytes([0x80 | opcode, 0x80 | size])
    elif size < 65536:
        h = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack(">H", size)
    else:
        h = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack(">Q", size)
    return h + b"\0\0\0\0"


def stats(port):
    status, _, body, _ = get(port, "/api/stats")
    return json.loads(body) if status == 200 else {}


def quantile(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


class Probe:
    """/api/stats every `period_s` from another process (a fresh connection
    each time, or one kept-alive connection): the latencies the attacks cause."""

    def __init__(self, port, keep_alive=False, period_s=0.02):
        self.p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "probe", str(port),
                                   "keep" if keep_alive else "fresh", str(period_s)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def wait_ready(self, timeout_s=10):
        """Returns once the probe has had its first answer (its connection is
        open, for a kept-alive one), so an attack starts after it."""
        import select
        ready, _, _ = select.select([self.p.stdout], [], [], timeout_s)
        if ready:
            self.p.stdout.readline()

    def finish(self):
        """{"latencies_s": [...], "failures": [...]}"""
        out, _ = self.p.communicate("stop\n", timeout=60)
        return json.loads(out.strip().splitlines()[-1])  # after "ready" unless wait_ready() read it


def _probe_main(port, mode, period_s):
    import threading
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    lat, failures = [], []
    kept = None
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            if mode == "keep":
                if kept is None:
                    kept = connect(port)
                kept.sendall(b"GET /api/stats HTTP/1.1\r\nHost: t\r\n\r\n")
                status, _, body = read_response(kept, timeout=2)
                if status == 0:
                    kept.close()
                    kept = None
            else:
                status, _, body, _ = get(port, "/api/stats", timeout=2)
            if status == 200 and body.startswith(b"{"):
                lat.append(time.perf_counter() - t0)
                if len(lat) == 1:
                    print("ready", flush=True)
            else:
                failures.append(f"status {status} after {time.perf_counter() - t0:.3f} s")
        except OSError as e:
            failures.append(f"{e!r} after {time.perf_counter() - t0:.3f} s")
            kept = None
        stop.wait(period_s)
    print(json.dumps({"latencies_s": lat, "failures": failures}))


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "probe":
    _probe_main(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
