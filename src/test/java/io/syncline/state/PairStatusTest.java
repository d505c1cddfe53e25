package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The backoff of failed polls and of windows that fail to apply. */
class PairStatusTest {

    @Test
    void aWindowThatKeepsFailingIsTriedLessAndLessOftenUpToMaxBackoff() {
        PairStatus status = new PairStatus("people");
        for (long backoff : new long[] {5, 10, 20, 40, 60, 60}) {
            Instant before = Instant.now();
            status.applyFailed("helpdesk.users: table does not exist", Duration.ofSeconds(5), Duration.ofSeconds(60));
            Instant after = Instant.now();
            Instant next = status.nextApply();
            assertFalse(next.isBefore(before.plusSeconds(backoff)) || next.isAfter(after.plusSeconds(backoff)),
                    "tried again " + backoff + " s after the failure: " + next + ", failed between " + before + " and " + after);
        }
        assertEquals(6, status.applyFailures());
        assertTrue(status.applyInBackoff());

        status.applied();
        assertFalse(status.applyInBackoff(), "a window applied ends the backoff");
        assertEquals(0, status.applyFailures());
        assertNull(status.applyError());
        assertNull(status.nextApply());
    }

    @Test
    void aFailedPollWaitsOneSecondThenTwiceAsLongEachTime() {
        List<Long> waits = new ArrayList<>();
        for (int inARow = 1; inARow <= 5; inARow++) {
            waits.add(PairStatus.backoff(inARow, Duration.ofSeconds(1), Duration.ofSeconds(8)).toSeconds());
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 8L), waits);
    }

    @Test
    void stalenessIsTheAgeOfTheOldestSidesLastSuccessfulPollStart() throws InterruptedException {
        PairStatus status = new PairStatus("people");
        Thread.sleep(50);
        assertTrue(status.staleness(List.of("a", "b")).toMillis() >= 50, "no poll yet: counted from start-up");
        Instant aStarted = Instant.now().minusSeconds(40);
        status.pollSucceeded("a", aStarted);
        status.pollSucceeded("b", Instant.now().minusSeconds(3));
        long stale = status.staleness(List.of("a", "b")).toSeconds();
        assertTrue(stale >= 40 && stale < 45, "the older side decides: " + stale);
        assertTrue(status.staleness(List.of("b")).toSeconds() < 5);
        status.pollSucceeded("a", Instant.now());
        assertTrue(status.staleness(List.of("a", "b")).toSeconds() < 5, "both fresh again");
    }

    @Test
    void theLatestTwentyWindowsAreRememberedNewestFirst() {
        PairStatus status = new PairStatus("people");
        for (int i = 1; i <= 25; i++) {
            status.windowApplied(new PairStatus.AppliedWindow(Instant.ofEpochSecond(i), 0.1, i, 0, i, 0, 0, 0, 0, 0));
        }
        List<PairStatus.AppliedWindow> recent = status.recentWindows();
        assertEquals(20, recent.size());
        assertEquals(25, recent.get(0).writtenA(), "newest first");
        assertEquals(6, recent.get(19).writtenA(), "the five oldest forgotten");
    }
}
