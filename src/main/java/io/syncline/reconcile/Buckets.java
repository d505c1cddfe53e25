package io.syncline.reconcile;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Rows of strings spread over temporary files by a hash of a key, so that a pass holds one bucket
 * in memory at a time: rows whose keys are equal land in the same bucket, whatever the number of
 * rows. Each kind of row (a side's records, the links by one side's id, unlinked records by natural
 * key) has its own files; the files are deleted when the buckets are closed.
 */
final class Buckets implements AutoCloseable {

    /** Enough that a million records per side make buckets of a few megabytes. */
    static final int COUNT = 64;

    private final Path dir;
    private final List<String> kinds;
    private final DataOutputStream[][] out;

    Buckets(String pair, List<String> kinds) {
        try {
            this.dir = Files.createTempDirectory("syncline-reconcile-" + pair.replaceAll("[^A-Za-z0-9_-]", "_") + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("reconciliation cannot create its temporary files: " + e.getMessage(), e);
        }
        this.kinds = List.copyOf(kinds);
        this.out = new DataOutputStream[kinds.size()][COUNT];
    }

    /** The bucket of a key: the top bits of its hash times the golden ratio, which spreads ids that differ only at their end. */
    static int of(String key) {
        return (key.hashCode() * 0x9E3779B9) >>> (Integer.SIZE - Integer.numberOfTrailingZeros(COUNT));
    }

    /** Adds a row to the bucket of {@code key}; a null field is kept as null. */
    void add(String kind, String key, String... fields) {
        int k = kinds.indexOf(kind);
        int bucket = of(key);
        try {
            DataOutputStream o = out[k][bucket];
            if (o == null) {
                o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file(kind, bucket)), 16 * 1024));
                out[k][bucket] = o;
            }
            o.writeShort(fields.length);
            for (String field : fields) {
                if (field == null) {
                    o.writeInt(-1);
                } else {
                    byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                    o.writeInt(bytes.length);
                    o.write(bytes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reconciliation cannot write its temporary files in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Reads back the rows of one bucket of a kind, in the order they were added. */
    void read(String kind, int bucket, Consumer<String[]> each) {
        int k = kinds.indexOf(kind);
        try {
            if (out[k][bucket] == null) {
                return;
            }
            out[k][bucket].flush();
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file(kind, bucket)), 16 * 1024))) {
                while (true) {
                    int n;
                    try {
                        n = in.readShort();
                    } catch (EOFException end) {
                        return;
                    }
                    String[] fields = new String[n];
                    for (int i = 0; i < n; i++) {
                        int length = in.readInt();
                        if (length >= 0) {
                            byte[] bytes = new byte[length];
                            in.readFully(bytes);
                            fields[i] = new String(bytes, StandardCharsets.UTF_8);
                        }
                    }
                    each.accept(fields);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reconciliation cannot read its temporary files in " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path file(String kind, int bucket) {
        return dir.resolve(kind + "-" + bucket);
    }

    @Override
    public void close() {
        List<IOException> failures = new ArrayList<>();
        for (DataOutputStream[] byBucket : out) {
            for (DataOutputStream o : byBucket) {
                if (o != null) {
                    try {
                        o.close();
                    } catch (IOException e) {
                        failures.add(e);
                    }
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            throw new UncheckedIOException("reconciliation could not remove its temporary files in " + dir, failures.get(0));
        }
    }
}
