#!/usr/bin/env bash
# Measures two broker behaviours that size a grpc-mqtt deployment (docs/operations.md, "Sizing"):
#   1. how many QoS 1 messages the broker keeps for a session whose client is away
#      (a server instance that is restarting, within its session expiry);
#   2. whether a shared-subscription group hands messages to a member that is away but has a
#      session (such requests wait for that member instead of going to the ones online).
# Usage: broker-queues.sh PORT [HOST]
# Needs mosquitto_sub and mosquitto_pub (Debian: mosquitto-clients) and a broker that accepts
# anonymous MQTT 5 clients. Topics and client ids carry this shell's pid; sessions are removed.
set -euo pipefail
port=${1:?usage: broker-queues.sh PORT [HOST]}
host=${2:-127.0.0.1}
n=5000
run=$$
sub() { mosquitto_sub -V mqttv5 -h "$host" -p "$port" -q 1 "$@"; }
pub() { mosquitto_pub -V mqttv5 -h "$host" -p "$port" -q 1 "$@"; }
count() { { "$@" 2>/dev/null || true; } | wc -l; }

# 1. A session (session expiry 300 s) whose client goes away; n messages arrive meanwhile.
sub -i "away-$run" -c -x 300 -t "bq/$run/#" -E
seq "$n" | pub -t "bq/$run/x" -l
kept=$(count sub -i "away-$run" -c -x 300 -t "bq/$run/#" -C "$n" -W 20)
echo "1. session of a client that was away kept ${kept} of ${n} QoS 1 messages"
sub -i "away-$run" -t "bq/$run/#" -E # clean start, session expiry 0: the session is gone

# 2. A shared group of two: member b away (with a session), member a online; 100 messages.
sub -i "b-$run" -c -x 300 -t "\$share/g$run/bs/$run/#" -E
out=$(mktemp)
sub -i "a-$run" -t "\$share/g$run/bs/$run/#" -W 6 >"$out" 2>/dev/null &
sleep 1
seq 100 | pub -t "bs/$run/x" -l
wait || true
online=$(wc -l <"$out")
rm -f "$out"
later=$(count sub -i "b-$run" -c -x 300 -t "\$share/g$run/bs/$run/#" -W 5)
sub -i "b-$run" -t "\$share/g$run/bs/$run/#" -E
echo "2. shared group: the member online got ${online} of 100; the member away got ${later} when it came back"
