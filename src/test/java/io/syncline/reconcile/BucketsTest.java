package io.syncline.reconcile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reconciliation's temporary buckets: rows with equal keys meet in one bucket, come back whole, and leave no file behind. */
class BucketsTest {

    @Test
    void rowsWithEqualKeysMeetInOneBucketAndComeBackWhole() throws Exception {
        Path dir;
        Map<String, Integer> bucketOf = new HashMap<>();
        List<String[]> read = new ArrayList<>();
        try (Buckets buckets = new Buckets("people/with:odd*chars", List.of("a", "links"))) {
            for (int i = 0; i < 10_000; i++) {
                buckets.add("a", "id" + i, "id" + i, "hash" + i, i % 3 == 0 ? null : "ünïcode " + i, "");
                buckets.add("links", "id" + i, "id" + i, "b" + i);
            }
            Set<Integer> used = new HashSet<>();
            for (int bucket = 0; bucket < Buckets.COUNT; bucket++) {
                int b = bucket;
                buckets.read("a", bucket, row -> {
                    read.add(row);
                    bucketOf.put(row[0], b);
                    used.add(b);
                });
                buckets.read("links", bucket, row -> assertEquals(b, bucketOf.get(row[0]), "a link meets its record: " + row[0]));
            }
            assertTrue(used.size() > Buckets.COUNT / 2, "the keys spread over the buckets: " + used.size());
            dir = Files.list(Path.of(System.getProperty("java.io.tmpdir"))).filter(p -> p.getFileName().toString().startsWith("syncline-reconcile-people_with_odd_chars-"))
                    .findFirst().orElseThrow();
        }
        assertEquals(10_000, read.size());
        String[] row = read.stream().filter(r -> r[0].equals("id4")).findFirst().orElseThrow();
        assertArrayEquals(new String[] {"id4", "hash4", "ünïcode 4", ""}, row);
        assertArrayEquals(new String[] {"id3", "hash3", null, ""}, read.stream().filter(r -> r[0].equals("id3")).findFirst().orElseThrow());
        assertFalse(Files.exists(dir), "its temporary files are removed");
    }
}
