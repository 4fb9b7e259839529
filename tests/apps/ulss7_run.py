"""`skyfuse run` on the bundled real Beast capture (data/adsb/ulss7-..., a
receiver near St Petersburg: 11 aircraft in 61 s), for the tests of the
ecosystem's files (tar1090_contract_test.py, stock_page_test.py)."""
import os, re, select, subprocess, time


def write_config(root, path, run_lines):
    """The capture as one ADS-B sensor, with the given [run] lines."""
    beast = os.path.join(root, "data/adsb/ulss7-beast-bin-utc--1522782148.136310917--.log")
    with open(path, "w") as f:
        f.write("[tracker]\norigin_lat_deg = 59.9\norigin_lon_deg = 30.5\n\n[run]\n")
        f.write("".join(line + "\n" for line in run_lines))
        f.write(f'\n[[sensor]]\nname = "ulss7-beast"\nkind = "adsb"\nlat_deg = 59.9\nlon_deg = 30.5\n'
                f'input = "file:{beast}"\nformat = "beast"\n')


def start(skyfuse, config, timeout_s=30):
    """`skyfuse run --config CONFIG --http-port 0`: the process and the port it
    printed (None if it printed none in time)."""
    p = subprocess.Popen([skyfuse, "run", "--config", config, "--http-port", "0"], stderr=subprocess.PIPE, text=True)
    t_end = time.time() + timeout_s
    while time.time() < t_end and p.poll() is None:
        if not select.select([p.stderr], [], [], 1.0)[0]: continue
        m = re.search(r"http://[^:]+:(\d+)/", p.stderr.readline())
        if m: return p, int(m.group(1))
    return p, None
