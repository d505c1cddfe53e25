package io.syncline.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** The state store's {@code column IN (?, ...)} queries: their ids in slices, and the slices' parameter marks. */
final class InLists {

    private InLists() {
    }

    /** {@code ids} in slices of at most {@code size} ({@code Dialect#idsPerQuery}), one per query. */
    static List<List<String>> chunks(Collection<String> ids, int size) {
        List<String> all = new ArrayList<>(ids);
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += size) {
            chunks.add(all.subList(from, Math.min(all.size(), from + size)));
        }
        return chunks;
    }

    /** {@code n} parameter marks, comma-separated. */
    static String marks(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
