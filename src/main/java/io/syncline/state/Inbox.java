package io.syncline.state;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhook inbox: each delivery a pair takes is stored here before the sender is answered, so that a
 * crash right after the answer loses nothing, and a redelivery (the same delivery id) is applied once.
 * A delivery stored but not applied is applied by the pair's next poll; applied ones are kept a week,
 * as long as senders redeliver. Dead letters an operator retries come this way too, as deliveries of their own.
 */
@ApplicationScoped
public class Inbox {

    /** How long an applied delivery's id is remembered. */
    static final Duration KEPT = Duration.ofDays(7);

    @Inject
    SyncState state;

    /** When applied deliveries were last forgotten: once an hour is enough. */
    private volatile long purged;

    /** A delivery not applied yet: its id and the records it names. */
    public record Pending(String deliveryId, List<String> recordIds) {
    }

    /**
     * Stores a delivery in one commit; false when it was stored before (a redelivery: nothing stored).
     */
    public boolean store(String pair, String side, String deliveryId, List<String> recordIds) {
        return store(pair, side, deliveryId, recordIds, System.currentTimeMillis());
    }

    private boolean store(String pair, String side, String deliveryId, List<String> recordIds, long receivedAt) {
        try (Connection c = state.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement seen = c.prepareStatement("SELECT 1 FROM webhook_inbox WHERE pair = ? AND side = ? AND delivery_id = ?")) {
                seen.setString(1, pair);
                seen.setString(2, side);
                seen.setString(3, deliveryId);
                try (ResultSet rs = seen.executeQuery()) {
                    if (rs.next()) {
                        c.rollback();
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO webhook_inbox (pair, side, delivery_id, record_id, received_at) VALUES (?, ?, ?, ?, ?)")) {
                for (String id : new java.util.LinkedHashSet<>(recordIds)) {
                    ps.setString(1, pair);
                    ps.setString(2, side);
                    ps.setString(3, deliveryId);
                    ps.setString(4, id);
                    ps.setLong(5, receivedAt);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                    return false; // the same delivery, stored by a concurrent request
                }
                throw e;
            }
        } catch (SQLException e) {
            throw SyncState.failure("store a webhook delivery of pair '" + pair + "'", e);
        }
    }

    /**
     * Records an operator wants read again from a pair's source (dead letters retried): stored as a delivery that
     * the pair's next poll applies.
     */
    public void readAgain(String pair, String side, List<String> recordIds) {
        store(pair, side, "retry-" + java.util.UUID.randomUUID(), recordIds, 0);
    }

    /**
     * Deliveries of a pair's side received at least {@code age} ago and not applied yet, oldest first, as many as
     * hold about {@code records} records (a delivery is never split).
     */
    public List<Pending> pending(String pair, String side, Duration age, int records) {
        Map<String, List<String>> byDelivery = new LinkedHashMap<>();
        try (Connection c = state.connect(); PreparedStatement ps = c.prepareStatement("SELECT delivery_id, record_id FROM webhook_inbox"
                + " WHERE pair = ? AND side = ? AND applied_at IS NULL AND received_at <= ? ORDER BY received_at, delivery_id, record_id")) {
            ps.setString(1, pair);
            ps.setString(2, side);
            ps.setLong(3, System.currentTimeMillis() - age.toMillis());
            ps.setFetchSize(Math.max(100, records));
            int taken = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String delivery = rs.getString(1);
                    if (!byDelivery.containsKey(delivery) && taken >= records) {
                        break;
                    }
                    byDelivery.computeIfAbsent(delivery, k -> new ArrayList<>()).add(rs.getString(2));
                    taken++;
                }
            }
        } catch (SQLException e) {
            throw SyncState.failure("read the webhook inbox of pair '" + pair + "'", e);
        }
        List<Pending> pending = new ArrayList<>();
        byDelivery.forEach((id, ids) -> pending.add(new Pending(id, ids)));
        return pending;
    }

    /** Marks deliveries applied (their records are on the target), and forgets those applied longer than {@link #KEPT} ago. */
    public void applied(String pair, String side, List<String> deliveryIds) {
        if (deliveryIds.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        try (Connection c = state.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE webhook_inbox SET applied_at = ? WHERE pair = ? AND side = ? AND delivery_id = ? AND applied_at IS NULL");
                    PreparedStatement old = c.prepareStatement("DELETE FROM webhook_inbox WHERE applied_at < ?")) {
                for (String id : deliveryIds) {
                    ps.setLong(1, now);
                    ps.setString(2, pair);
                    ps.setString(3, side);
                    ps.setString(4, id);
                    ps.addBatch();
                }
                ps.executeBatch();
                if (now - purged > Duration.ofHours(1).toMillis()) {
                    purged = now;
                    old.setLong(1, now - KEPT.toMillis());
                    old.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw SyncState.failure("mark webhook deliveries of pair '" + pair + "' applied", e);
        }
    }
}
