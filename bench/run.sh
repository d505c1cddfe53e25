#!/usr/bin/env bash
# The foundation benchmark: builds the server, then runs io.syncline.bench.SyncBenchmark, which
# starts embedded PostgreSQL and MariaDB (or uses -Dbench.postgres=... -Dbench.mariadb=...), loads
# 1,000,000 contacts and measures (a) a plain JDBC copy, (b) Syncline's full load with a 256 MB
# heap, (c) 10,000 updates. Extra arguments are passed to the JVM, e.g. -Dbench.rows=100000.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests package test-compile
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -Xmx1g "$@" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.syncline.bench.SyncBenchmark
