"""What the NATS test (tests/bus/cluster_test.py) and benchmark (tools/bus_bench.py)
share: a three-node JetStream cluster of Debian's nats-server on free
loopback ports, and the demo's inputs with a configuration that two runs can
compare (fixed paths and epoch, no recording, no loop)."""
import os, re, socket, subprocess, time


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def start_cluster(folder, name, token=None, timeout_s=20):
    """Starts three nodes in folder/n1..n3; returns (processes, client ports,
    "nats://...,..." URLs, whether a JetStream leader was elected in time)."""
    ports = free_ports(6)
    client, route = ports[:3], ports[3:]
    routes = ", ".join(f"nats-route://127.0.0.1:{p}" for p in route)
    nodes = []
    for i in range(3):
        d = os.path.join(folder, f"n{i + 1}")
        os.makedirs(d)
        conf = os.path.join(d, "nats.conf")
        auth = f'authorization {{ token: "{token}" }}\n' if token else ""
        open(conf, "w").write(
            f'server_name: n{i + 1}\nlisten: 127.0.0.1:{client[i]}\n'
            f'jetstream {{ store_dir: "{d}/js", max_memory_store: 256MB, max_file_store: 8GB }}\n'
            f'{auth}cluster {{ name: {name}, listen: 127.0.0.1:{route[i]}, routes: [ {routes} ] }}\n')
        nodes.append(subprocess.Popen(["nats-server", "-c", conf], stdout=open(os.path.join(d, "log"), "w"),
                                      stderr=subprocess.STDOUT))
    end, elected = time.time() + timeout_s, False
    while time.time() < end and not elected:
        elected = any("metadata leader" in open(os.path.join(folder, f"n{i + 1}", "log")).read() for i in range(3))
        time.sleep(0.05)
    return nodes, client, ",".join(f"nats://127.0.0.1:{p}" for p in client), elected


def demo_config(skyfuse, root, work):
    """Simulates the demo's inputs into work/sim and writes work/run.toml: the
    demo's configuration with fixed paths, a fixed epoch, no recording, no loop,
    no regions (everything from its `margin_m` on, the end of the file, cut)."""
    sim = os.path.join(work, "sim")
    subprocess.run([skyfuse, "sim", os.path.join(root, "scenarios/demo_zurich.toml"), "--seed", "1", "--out", sim],
                   check=True, capture_output=True)
    text = open(os.path.join(root, "config/demo_run.toml")).read()
    text = text.replace("../out/demo/sim", sim).replace("file:../data/", f"file:{root}/data/")
    text = text.replace('zones = "zones_zurich.geojson"', f'zones = "{root}/config/zones_zurich.geojson"')
    text = re.sub(r'(?m)^record_dir = .*$', "", text)
    text = re.sub(r'(?m)^loop = true', 'loop = false\nepoch = "1700000000"\nstatus_period_s = 0', text)
    text = re.sub(r'(?m)^servers = .*$', 'servers = ["nats://127.0.0.1:1"]', text)  # --nats on the command line
    # No regions (each test or benchmark adds its own): the airspace is one.
    text = re.sub(r'(?ms)^margin_m = .*', "", text)
    config = os.path.join(work, "run.toml")
    open(config, "w").write(text)
    return config
