package io.syncline.state;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** The state store's {@code column IN (?, ...)} queries: their ids in slices, the slices' parameter marks, and their binding. */
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

    /** Binds a slice of ids to the first parameters, then the pair to the one after them. */
    static void bind(PreparedStatement ps, List<String> ids, String pair) throws SQLException {
        int i = 1;
        for (String id : ids) {
            ps.setString(i++, id);
        }
        ps.setString(i, pair);
    }

    /** {@code n} parameter marks, comma-separated. */
    static String marks(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
