package io.syncline.state;

import java.time.Instant;

/** A record that could not be synced, and why. */
public record DeadLetter(String pair, String side, String recordId, String reason, String record,
        Instant firstSeen, Instant lastSeen, int attempts) {
}
