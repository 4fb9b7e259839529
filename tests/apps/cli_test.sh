#!/usr/bin/env bash
# End-to-end checks of `skyfuse sim` and `skyfuse eval` as a user runs them.
# Usage: cli_test.sh SKYFUSE_BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fails=0 passes=0
check() {  # check NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
json_value() { sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" "$1"; }

scen=$src/scenarios/manoeuvres.toml
"$bin" sim "$scen" --seed 7 --out a > /dev/null || { echo "FAIL: sim a"; exit 1; }
"$bin" sim "$scen" --seed 7 --out b > /dev/null || { echo "FAIL: sim b"; exit 1; }
"$bin" sim "$scen" --seed 8 --out c > /dev/null || { echo "FAIL: sim c"; exit 1; }
for f in a/*; do check "same seed, same bytes: $f" cmp -s "$f" "b/${f#a/}"; done
check "different seed, same truth" cmp -s a/truth.jsonl c/truth.jsonl
check "different seed, different radar noise" bash -c "! cmp -s a/modes-north.jsonl c/modes-north.jsonl"
check "different seed, different ADS-B noise" bash -c "! cmp -s a/adsb-london.jsonl c/adsb-london.jsonl"
check "sensors.toml written" grep -q 'input = "file:modes-north.ast"' a/sensors.toml
check "radar feed in ASTERIX" bash -c "\"$bin\" decode --format asterix --stats a/modes-north.ast 2>&1 >/dev/null | grep -q '\"048\":'"
check "ADS-B feed in ASTERIX" bash -c "\"$bin\" decode --format asterix --stats a/adsb-london.ast 2>&1 >/dev/null | grep -q '\"021\":'"

# track: the same input gives the same bytes; problems are named.
"$bin" track --config a/sensors.toml --out a_tracks.jsonl --quiet || echo "FAIL: track a"
"$bin" track --config b/sensors.toml --out b_tracks.jsonl --quiet || echo "FAIL: track b"
check "track deterministic" cmp -s a_tracks.jsonl b_tracks.jsonl
check "track writes confirmed tracks" grep -q '"status":"confirmed"' a_tracks.jsonl
# A `run` configuration (issue #21): track ignores [run], [safety] and a
# sensor's clock_group, says so, and tracks exactly as without them.
{ sed '0,/^\[\[sensor\]\]/s//&\nclock_group = "sim"/' a/sensors.toml; printf '\n[run]\nhttp_port = 8080\nloop = true\n\n[safety]\nstca_horizontal_m = 5556\n'; } > a/run.toml
"$bin" track --config a/run.toml --out run_tracks.jsonl --quiet 2> run.err
check "track accepts a run configuration" test $? -eq 0
check "track notes [run] ignored" grep -q "run.toml: \[run\] is for \`skyfuse run\`, ignored here" run.err
check "track notes [safety] ignored" grep -q "run.toml: \[safety\] is for \`skyfuse run\`, ignored here" run.err
check "track ignores [run] and [safety]" cmp -s a_tracks.jsonl run_tracks.jsonl
sed 's/^sigma_range_m/sigma_rnage_m/' a/sensors.toml > a/typo.toml
"$bin" track --config a/typo.toml --out x.jsonl 2> typo.err
check "track config typo fails" test $? -ne 0
check "track config typo named" grep -q "typo.toml:[0-9]*:[0-9]*: \[\[sensor\]\] \"modes-north\": unknown key 'sigma_rnage_m'" typo.err
sed 's/modes-north.ast/missing.ast/' a/sensors.toml > a/missing.toml
"$bin" track --config a/missing.toml --out x.jsonl 2> missing.err
check "track missing input fails" test $? -ne 0
check "track missing input named" grep -q "missing.ast: cannot open input of sensor" missing.err
# A device, a directory or a FIFO named as a file input is refused at once
# (/dev/zero never ends: it grew memory until std::bad_alloc; a FIFO blocks).
mkfifo a/fifo.ast
for special in /dev/zero "$work/a" "$work/a/fifo.ast"; do
  sed "s#\"file:modes-north.ast\"#\"file:$special\"#" a/sensors.toml > a/special.toml
  timeout 20 "$bin" track --config a/special.toml --out x.jsonl 2> special.err
  check "track refuses $special (exit 1, not killed)" test $? -eq 1
  check "track names $special" grep -q "$special: cannot open input of sensor \"modes-north\": it is a" special.err
done
timeout 20 "$bin" decode --format beast /dev/zero > /dev/null 2> special.err
check "decode refuses /dev/zero" test $? -eq 1
check "decode names /dev/zero" grep -q "/dev/zero: cannot open file: it is a device" special.err
head -c 3000 a/modes-north.ast > a/short.ast && printf '\x30\xff\xff\x01' >> a/short.ast && head -c 900 a/modes-south.ast >> a/short.ast
sed 's/modes-north.ast/short.ast/' a/sensors.toml > a/short.toml
"$bin" track --config a/short.toml --out short.jsonl 2> short.err
check "track survives a corrupt ASTERIX file" test $? -eq 0
check "corrupt ASTERIX named with offset" grep -q "short.ast: offset" short.err

# CLI mistakes (issue #21): `--receiver LAT LON FILE` keeps FILE; a misspelt
# option or verb names the nearest valid one; a wrong --format stops at once.
beast=$src/data/adsb/ulss7-beast-bin-utc--1522782148.136310917--.log
"$bin" decode --format beast --receiver 47.4 8.5 "$beast" --stats > recv.jsonl 2> recv.err
check "--receiver LAT LON FILE decodes FILE" test $? -eq 0
check "--receiver LAT LON FILE: all frames" grep -q '"frames":13954,' recv.err
"$bin" decode --frmat beast "$beast" > /dev/null 2> frmat.err
check "misspelt option fails" test $? -eq 2
check "misspelt option: nearest named" grep -q "unknown option --frmat for \`skyfuse decode\` (did you mean --format?)" frmat.err
"$bin" track --confg a/sensors.toml > /dev/null 2> confg.err
check "misspelt --config named" grep -q "did you mean --config?" confg.err
"$bin" trak --config a/sensors.toml > /dev/null 2> trak.err
check "misspelt verb fails" test $? -eq 2
check "misspelt verb: nearest named" grep -q "unknown verb 'trak' (did you mean track?)" trak.err
"$bin" decode --format avr "$beast" > avr.out 2> avr.err
check "Beast given as AVR fails" test $? -eq 1
check "Beast given as AVR: one message" test "$(wc -l < avr.err)" -eq 1
check "Beast given as AVR: says so" grep -q "this looks like Beast, not AVR (give --format beast)" avr.err
printf '*8D40621D58C382D690C8AC2863A7;\n' > one.avr
"$bin" decode --format beast one.avr > /dev/null 2> beast.err
check "AVR given as Beast: says so" grep -q "this looks like AVR, not Beast (give --format avr)" beast.err

# decode --connect with nothing listening (issue #21): each attempt logged with
# its reason and back-off; never connected -> exit 1.
cport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" decode --format beast --connect "127.0.0.1:$cport" --seconds 1.2 > /dev/null 2> connect.err
check "decode --connect never connected: exit 1" test $? -eq 1
check "decode --connect: attempts logged with reason and back-off" grep -q "cannot connect to 127.0.0.1:$cport: Connection refused; retrying in 0.5 s" connect.err
check "decode --connect: says it never connected" grep -q "never connected to 127.0.0.1:$cport" connect.err

# eval: truth against itself is perfect.
"$bin" eval --truth a/truth.jsonl --tracks a/truth.jsonl --json > self.json
check "self GOSPA is 0" test "$(json_value self.json gospa_mean_m)" = "0.0"
check "self swaps 0" test "$(json_value self.json identity_swaps)" = "0"

# The ADS-B feed scored directly: ids come from icao24, errors are NACp-sized.
"$bin" eval --truth a/truth.jsonl --tracks a/adsb-london.jsonl --json --report rep > adsb.json
check "adsb feed scores" awk -v r="$(json_value adsb.json rms_horizontal_m)" 'BEGIN{exit !(r > 10 && r < 80)}'
check "report written" grep -q "<svg" rep/index.html

# Bad lines: named by file and line, skipped, counted; --strict fails.
cp a/truth.jsonl bad.jsonl && sed -i '3s/.*/{"time":1,"id":"x"}/; 5s/.*/not json/' bad.jsonl
"$bin" eval --truth a/truth.jsonl --tracks bad.jsonl --json > bad.json 2> bad.err
check "bad lines do not stop eval" test $? -eq 0
check "bad line 3 named" grep -q "bad.jsonl:3: missing field \"lat_deg\"" bad.err
check "bad line 5 named" grep -q "bad.jsonl:5: not valid JSON" bad.err
check "bad lines counted" test "$(json_value bad.json track_bad_lines)" = "2"
"$bin" eval --truth a/truth.jsonl --tracks bad.jsonl --strict > /dev/null 2>&1
check "--strict fails on bad lines" test $? -eq 1
"$bin" eval --truth missing.jsonl --tracks bad.jsonl > /dev/null 2> missing.err
check "missing file exits 1" test $? -eq 1
check "missing file named" grep -q "missing.jsonl: cannot open file" missing.err
head -c 3000 /dev/urandom > noise.jsonl
"$bin" eval --truth a/truth.jsonl --tracks noise.jsonl > /dev/null 2>&1
check "random bytes do not crash eval" test $? -eq 0

# Bad scenario files: a clear error naming file and line, exit 1.
printf '[scenario]\nname = "x"\nstart = "2020-01-01T00:00:00Z"\nduration_s = 10\n\n[[sensor]]\nname = "r"\nkind = "psr"\nlat_deg = 1\nlon_deg = 2\nrotaton_period_s = 4\n' > typo.toml
"$bin" sim typo.toml --out t > /dev/null 2> typo.err
check "typo exits 1" test $? -eq 1
check "typo names file:line and key" grep -q "typo.toml:11:1: \[\[sensor\]\] \"r\": unknown key 'rotaton_period_s'" typo.err
printf '[scenario]\nstart = "2020-01-01T00:00:00Z"\nduration_s = = 10\n' > syntax.toml
"$bin" sim syntax.toml --out t > /dev/null 2> syntax.err
check "syntax error names file:line" grep -q "syntax.toml:3:" syntax.err
printf '[scenario]\nstart = "2020-01-01T00:00:00Z"\nduration_s = -5\n' > range.toml
"$bin" sim range.toml --out t > /dev/null 2> range.err
check "range error names key" grep -q "range.toml:3:.*'duration_s' must be within" range.err
head -c 2000 /dev/urandom > noise.toml
"$bin" sim noise.toml --out t > /dev/null 2>&1
check "random bytes as scenario exit 1" test $? -eq 1

# decode: the real Beast capture, a bad file, random bytes.
beast=$src/data/adsb/ulss7-beast-bin-utc--1522782148.136310917--.log
"$bin" decode --format beast --stats "$beast" > dec.jsonl 2> dec.err
check "decode exits 0" test $? -eq 0
check "decode finds every dump1090 position" grep -q '"positions":1456' dec.err
check "decode time from the file name" grep -q '"time":1522782148.1363' dec.jsonl
check "decode lines carry icao24 and df" grep -q '"icao24":"71be34","df":17,"tc":11' dec.jsonl
# A capture of two streams (tcpdump -i any: IPv4 to 8600, IPv6 to 8601, and
# the kernel's ICMP errors): --port / udp_port keep one, the rest counted.
links=$src/tests/data/asterix/links/any_sll2.pcap
"$bin" decode --format pcap --stats --port 8600 "$links" > port.jsonl 2> port.err
check "decode --port: only datagrams to 8600" grep -q '"datagrams_to_other_ports":3,"blocks":7,' port.err
check "decode --port: ICMP errors quoting datagrams are not data" grep -q '"packets_without_udp":7' port.err
"$bin" decode --format pcap --oradis --stats --port 9 "$links" > /dev/null 2> port5.err
check "decode --port before --oradis: other datagrams not split" grep -q '"framing_errors":0,.*"datagrams_to_other_ports":7,' port5.err
"$bin" decode --format asterix --port 8600 "$src/tests/data/asterix/cat048.raw" > /dev/null 2> port2.err
check "decode --port without --format pcap refused" grep -q -- "--port filters a capture" port2.err
cp "$links" any_sll2.pcap
cat > port.toml <<'TOML'
[[sensor]]
name = "zrh"
kind = "mode_s"
sac = 20
sic = 1
lat_deg = 47.45
lon_deg = 8.56
alt_m = 450
input = "file:any_sll2.pcap"
format = "pcap"
udp_port = 8600
start_unix = 1533114000
TOML
"$bin" track --config port.toml --out port_tracks.jsonl 2> port3.err
check "track udp_port: the other stream counted" grep -q "packets_without_udp=7 datagrams_to_other_ports=3" port3.err
check "track udp_port: 53 of 217 reports" grep -q "zrh  *mode_s  *53 reports" port3.err
sed 's/udp_port = 8600/udp_port = 0/' port.toml > port_zero.toml
"$bin" track --config port_zero.toml --out x.jsonl 2> port6.err
check "udp_port = 0 refused" grep -q "'udp_port' must be within \[1, 65535\]" port6.err
sed 's/format = "pcap"/format = "asterix"/' port.toml > port_bad.toml
"$bin" track --config port_bad.toml --out x.jsonl 2> port4.err
check "udp_port on a non-capture refused with file and line" grep -q "port_bad.toml:11:12: .*'udp_port' filters an ASTERIX capture" port4.err
{ printf '\x00'; head -c 49999 /dev/urandom; } > noise.bin  # no format's first bytes
"$bin" decode --format beast --stats noise.bin > /dev/null 2> noise.err
check "random bytes decode without a crash, exit 1 (nothing decoded)" test $? -eq 1
check "random bytes: the format is questioned" grep -q "nothing decoded from 50000 bytes" noise.err
check "random bytes give counted framing errors" grep -q '"framing_errors":[1-9]' noise.err
"$bin" decode --format avr --stats "$beast" > /dev/null 2> wrong.err
check "wrong format: stopped at once, the right one named" grep -q 'this looks like Beast, not AVR' wrong.err
"$bin" decode --format nope "$beast" > /dev/null 2>&1
check "unknown format is a usage error" test $? -eq 2
"$bin" decode --format sbs --stats "$src/tests/data/adsb/dump1090_beastblackbox_sbs.csv" > sbs.jsonl 2> /dev/null
check "sbs positions" test "$(grep -c lat_deg sbs.jsonl)" -eq 1456

# Live ASTERIX over UDP (loopback): every datagram decoded, as from the file.
port=$((30000 + RANDOM % 20000))
"$bin" decode --format asterix --udp "$port" --seconds 3 --stats > udp.jsonl 2> udp.err &
rx=$!
sleep 1
python3 - "$port" "$src/tests/data/asterix/sim_cat048_034.ast" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
d = open(sys.argv[2], "rb").read()
i = 0
while i + 3 <= len(d):
    n = struct.unpack(">H", d[i + 1:i + 3])[0]
    s.sendto(d[i:i + n], ("127.0.0.1", int(sys.argv[1])))
    i += n
PY
wait $rx
"$bin" decode --format asterix "$src/tests/data/asterix/sim_cat048_034.ast" > udp_file.jsonl
check "udp: same records as the file" test "$(wc -l < udp.jsonl)" = "$(wc -l < udp_file.jsonl)"
check "udp: datagrams counted" grep -q '"datagrams":150' udp.err
"$bin" decode --format beast --udp 1234 2> udp_bad.err
check "udp needs asterix" grep -q "ASTERIX" udp_bad.err

# A looped recording (issue #21): at each wrap the recording's aircraft jump
# back to where they started; they start afresh, never beside their old
# tracks (before: 8 of 11 addresses had two live tracks after every wrap).
printf '[[sensor]]\nname = "beast"\nkind = "adsb"\nlat_deg = 59.9\nlon_deg = 30.5\ninput = "file:%s"\nformat = "beast"\nclock_group = "beast"\n\n[run]\nloop = true\n' "$beast" > loop.toml
"$bin" run --config loop.toml --speed 0 --duration 3 --http-port 0 --tracks-out loop.jsonl --quiet 2> loop.err
check "looped run" test $? -eq 0
check "looped recording: no address with two live tracks" python3 - loop.jsonl <<'PY'
import collections, json, sys
last = collections.defaultdict(dict)  # address -> track id -> last update
first = end = None
dup = set()
for line in open(sys.argv[1]):
    d = json.loads(line)
    a, t = d.get("icao24"), d["time"]
    first = t if first is None else first
    end = t
    if not a or d["status"] == "deleted":
        continue
    for i, tl in last[a].items():
        if i != d["id"] and t - tl < 5.0:
            dup.add(a)
    last[a][d["id"]] = t
passes = (end - first) / 62.0 if first is not None else 0
print(f"looped recording: {passes:.1f} passes, addresses with two live tracks: {sorted(dup)}")
sys.exit(0 if passes >= 2 and not dup else 1)
PY

# An aircraft database given on run's command line is named in the recording's
# header: replay reads it again; replay --aircraft-db of a missing file fails,
# a missing recorded one only costs the registrations (docs/api.md).
printf '4248e7;VQ-BAS;A319;;;;;\n504dd9;ER-AXP;A320;;;;;\n' > ac.csv
"$bin" run --config "$src/config/ulss7_beast.toml" --aircraft-db ac.csv --speed 0 --once \
  --exit-at-end --http-port 0 --record rec_db -q 2> run_db.log || echo "FAIL: run --aircraft-db"
check "replay reads the run's aircraft database" bash -c \
  "\"$bin\" replay rec_db --speed 0 --no-http --out /dev/null 2>&1 | grep -q 'aircraft database.*: 2 aircraft'"
check "replay --aircraft-db of a missing file fails" bash -c \
  "! \"$bin\" replay rec_db --speed 0 --no-http --out /dev/null --aircraft-db missing.csv 2> /dev/null"
# A relative [run] aircraft_db under a relative --config: recorded as an
# absolute path, so a replay from another directory finds it.
mkdir -p cfgdir other && cp ac.csv cfgdir/ac.csv
sed "s#file:\\.\\./#file:$src/#" "$src/config/ulss7_beast.toml" > cfgdir/run.toml
printf '\n[run]\naircraft_db = "ac.csv"\n' >> cfgdir/run.toml
"$bin" run --config cfgdir/run.toml --speed 0 --once --exit-at-end --http-port 0 --record rec_rel -q \
  2> run_rel.log || { echo "FAIL: run with a relative aircraft_db"; cat run_rel.log; }
check "a relative [run] aircraft_db replays from another directory" bash -c \
  "cd other && \"$bin\" replay ../rec_rel --speed 0 --no-http --out /dev/null 2>&1 | grep -q 'aircraft database /.*cfgdir/ac.csv: 2 aircraft'"
mv ac.csv ac_moved.csv
check "replay without the recorded database goes on, with a warning" bash -c \
  "\"$bin\" replay rec_db --speed 0 --no-http --out /dev/null 2>&1 | grep -q 'replay goes on without registrations'"

echo "cli_test: $passes passed, $fails failed"
test $fails -eq 0
