#!/usr/bin/env bash
# Benchmarks. Builds the server, then runs one benchmark against embedded PostgreSQL and MariaDB:
#   bench/run.sh [one-way]   io.syncline.bench.SyncBenchmark: 1,000,000 contacts, (a) a plain JDBC copy,
#                            (b) Syncline's full load with a 256 MB heap, (c) 10,000 updates
#   bench/run.sh two-way     io.syncline.bench.TwoWayBenchmark: 100,000 linked people, 10,000 edits on
#                            each side (1,000 on both), time to converge and rows written
#   bench/run.sh http        io.syncline.bench.HttpPollBenchmark: 100,000 records polled from an HTTP API in
#                            pages of 100 into PostgreSQL, against a plain HTTP + JDBC copy
#   bench/run.sh star        io.syncline.bench.StarBenchmark: 20,000 people in four systems joined by three two-way
#                            pairs (a star, the CRM the hub); 10,000 phones changed in a leaf: time until the hub and
#                            then all four agree, rows written to each
#   bench/run.sh webhooks    io.syncline.bench.WebhookBenchmark: signed webhooks, 200 a second for 60 s, into
#                            PostgreSQL: receipt to committed write (p50, p99, max) and the count lost
#   bench/run.sh no-marker   io.syncline.bench.NoMarkerBenchmark: 1,000,000 stock items without change marker
#                            (cursor: none) PostgreSQL to MariaDB: full load, 10,000 updates, and the cost of comparing
#                            the whole table on a poll, against a plain JDBC read of it
# Extra arguments are passed to the JVM, e.g. bench/run.sh two-way -Dbench.rows=20000; -Dbench.state=postgresql puts the
# server's state store on the embedded PostgreSQL, -Dbench.h2=";SETTING=value" appends settings to its H2 file's URL, and
# -Dbench.server.options="..." passes options to the server's JVM
set -euo pipefail
cd "$(dirname "$0")/.."
benchmark=io.syncline.bench.SyncBenchmark
case "${1:-}" in
    two-way) benchmark=io.syncline.bench.TwoWayBenchmark; shift ;;
    http) benchmark=io.syncline.bench.HttpPollBenchmark; shift ;;
    webhooks) benchmark=io.syncline.bench.WebhookBenchmark; shift ;;
    star) benchmark=io.syncline.bench.StarBenchmark; shift ;;
    no-marker) benchmark=io.syncline.bench.NoMarkerBenchmark; shift ;;
    one-way) shift ;;
esac
./mvnw -B -q -DskipTests package test-compile
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -Xmx1g "$@" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" "$benchmark"
